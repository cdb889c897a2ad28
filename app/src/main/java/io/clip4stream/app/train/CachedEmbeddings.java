package io.clip4stream.app.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.train.InferenceMode;
import io.clip4stream.model.train.TrainableModel;
import io.clip4stream.model.train.TrainingBatch;
import io.clip4stream.model.weights.SafetensorsFile;
import io.clip4stream.model.weights.SafetensorsWriter;
import io.clip4stream.model.weights.TensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Frozen-CLIP encoder outputs of a training set, computed once and kept on disk: every clip's frame embeddings
 * {@code [T, D]} with its mask, and every caption's EOT embedding {@code [D]}. With CLIP frozen these are constants, so
 * head-only training reads them instead of running the two encoders every step.
 */
public final class CachedEmbeddings {

    private static final int CHUNK = 16;

    private final int frames;
    private final int dim;
    private final float[] frameEmbeddings;
    private final float[] masks;
    private final float[] captions;
    private final int[] captionOffsets;

    private CachedEmbeddings(
            int frames, int dim, float[] frameEmbeddings, float[] masks, float[] captions, int[] captionOffsets) {
        this.frames = frames;
        this.dim = dim;
        this.frameEmbeddings = frameEmbeddings;
        this.masks = masks;
        this.captions = captions;
        this.captionOffsets = captionOffsets;
    }

    /** Loads {@code file} when it exists, otherwise encodes {@code set} with {@code model}'s encoders and writes it. */
    public static CachedEmbeddings loadOrCompute(
            Path file, TrainableModel model, TrainingSet set, Consumer<String> progress) {
        if (Files.isRegularFile(file)) {
            try (SafetensorsFile cached = SafetensorsFile.open(file)) {
                long[] shape = cached.info("frames").shape();
                progress.accept("using cached embeddings " + file);
                return new CachedEmbeddings(
                        (int) shape[1],
                        (int) shape[2],
                        cached.floats("frames"),
                        cached.floats("masks"),
                        cached.floats("captions"),
                        toInts(cached.longs("caption_offsets")));
            } catch (IOException | RuntimeException e) {
                progress.accept(
                        "cached embeddings " + file + " are unreadable (" + e.getMessage() + "); encoding again");
            }
        }
        CachedEmbeddings computed = compute(model, set, progress);
        computed.write(file);
        return computed;
    }

    private static CachedEmbeddings compute(TrainableModel model, TrainingSet set, Consumer<String> progress) {
        int n = set.size();
        int frames = set.maxFrames();
        int dim = model.spec().embedDim();
        List<CaptionedClip> clips = set.clips();
        int[] offsets = new int[n + 1];
        for (int i = 0; i < n; i++) {
            offsets[i + 1] = offsets[i] + clips.get(i).captions().size();
        }
        float[] frameEmbeddings = new float[n * frames * dim];
        float[] masks = new float[n * frames];
        float[] captions = new float[offsets[n] * dim];
        Optional<TrainingSet.FrameEmbeddings> given = set.frameEmbeddings();
        if (given.isPresent() && given.get().dim() != dim) {
            throw new TrainingDataException(
                    "the clips' frame embeddings have " + given.get().dim() + " dimensions but the model embeds into "
                            + dim + ": they come from another CLIP");
        }
        try (InferenceMode noGrad = InferenceMode.enter()) {
            for (int start = 0; start < n; start += CHUNK) {
                int count = Math.min(CHUNK, n - start);
                int[] indices = new int[count];
                for (int i = 0; i < count; i++) {
                    indices[i] = start + i;
                }
                try (NDManager scope = model.manager().newSubManager()) {
                    if (given.isPresent()) {
                        // Embeddings the index already holds: copied, the visual encoder does not run.
                        System.arraycopy(
                                given.get().values(),
                                start * frames * dim,
                                frameEmbeddings,
                                start * frames * dim,
                                count * frames * dim);
                        System.arraycopy(given.get().masks(), start * frames, masks, start * frames, count * frames);
                    } else {
                        TrainingBatch.Pixels batch = set.batch(indices, new int[count]);
                        int s = batch.imageSize();
                        NDArray pixels = scope.create(batch.pixels(), new Shape((long) count * frames, 3, s, s));
                        float[] out = model.visual()
                                .forward(pixels, frames)
                                .frameEmbeddings()
                                .toFloatArray();
                        System.arraycopy(out, 0, frameEmbeddings, start * frames * dim, out.length);
                        System.arraycopy(batch.validFrames(), 0, masks, start * frames, count * frames);
                    }
                    for (int i = start; i < start + count; i++) {
                        List<String> texts = clips.get(i).captions();
                        long[][] ids = new long[texts.size()][];
                        for (int c = 0; c < ids.length; c++) {
                            ids[c] = set.tokens(texts.get(c));
                        }
                        float[] eot = model.text()
                                .forward(scope, ids)
                                .textEmbeddings()
                                .toFloatArray();
                        System.arraycopy(eot, 0, captions, offsets[i] * dim, eot.length);
                    }
                }
                progress.accept("caching embeddings: " + (start + count) + "/" + n + " clips");
            }
        }
        return new CachedEmbeddings(frames, dim, frameEmbeddings, masks, captions, offsets);
    }

    /** Returns the batch of clips {@code clipIndices}, clip i with its caption {@code captionIndices[i]}. */
    public TrainingBatch.Embeddings batch(int[] clipIndices, int[] captionIndices) {
        int size = clipIndices.length;
        float[] f = new float[size * frames * dim];
        float[] m = new float[size * frames];
        float[] t = new float[size * dim];
        for (int b = 0; b < size; b++) {
            int clip = clipIndices[b];
            System.arraycopy(frameEmbeddings, clip * frames * dim, f, b * frames * dim, frames * dim);
            System.arraycopy(masks, clip * frames, m, b * frames, frames);
            System.arraycopy(captions, (captionOffsets[clip] + captionIndices[b]) * dim, t, b * dim, dim);
        }
        return new TrainingBatch.Embeddings(f, frames, m, t, dim);
    }

    private void write(Path file) {
        int n = captionOffsets.length - 1;
        long[] offsets = new long[captionOffsets.length];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = captionOffsets[i];
        }
        try {
            Files.createDirectories(file.getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            new SafetensorsWriter()
                    .write(
                            partial,
                            Map.of(
                                    "frames", TensorData.f32(new long[] {n, frames, dim}, frameEmbeddings),
                                    "masks", TensorData.f32(new long[] {n, frames}, masks),
                                    "captions", TensorData.f32(new long[] {captionOffsets[n], dim}, captions),
                                    "caption_offsets", TensorData.i64(new long[] {offsets.length}, offsets)),
                            Map.of("format", "clip4stream-embedding-cache"));
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the embedding cache " + file, e);
        }
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }
}
