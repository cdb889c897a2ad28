package io.clip4stream.app.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.metrics.RetrievalMetrics;
import io.clip4stream.model.train.InferenceMode;
import io.clip4stream.model.train.TrainableModel;
import java.util.function.Consumer;

/**
 * The original's {@code eval_epoch} on a held-out set: every caption against every clip (the first caption of each
 * clip, so the ground truth is the diagonal), text→video and video→text metrics from the similarity matrix.
 */
public final class RetrievalEvaluator {

    /** Clips encoded per forward pass. */
    private static final int CHUNK = 16;

    private final TrainingSet data;

    /** Creates an evaluator over {@code data}. */
    public RetrievalEvaluator(TrainingSet data) {
        this.data = data;
    }

    /** Text→video and video→text metrics of a model on the set. */
    public record Result(RetrievalMetrics textToVideo, RetrievalMetrics videoToText, int clips) {}

    /** Evaluates {@code model} (its current parameters) without recording gradients. */
    public Result evaluate(TrainableModel model, Consumer<String> progress) {
        int n = data.size();
        int frames = data.maxFrames();
        try (InferenceMode noGrad = InferenceMode.enter();
                NDManager scope = model.manager().newSubManager()) {
            NDList frameChunks = new NDList();
            NDList textChunks = new NDList();
            NDList maskChunks = new NDList();
            for (int start = 0; start < n; start += CHUNK) {
                int count = Math.min(CHUNK, n - start);
                int[] clips = new int[count];
                int[] captions = new int[count];
                for (int i = 0; i < count; i++) {
                    clips[i] = start + i;
                }
                try (NDManager chunk = scope.newSubManager()) {
                    NDArray embeddings;
                    float[] mask;
                    long[][] tokenIds = new long[count][];
                    for (int i = 0; i < count; i++) {
                        tokenIds[i] = data.tokens(
                                data.clips().get(start + i).captions().get(0));
                    }
                    if (data.frameEmbeddings().isPresent()) {
                        // Frame embeddings the index holds: the visual encoder does not run.
                        TrainingSet.FrameEmbeddings given =
                                data.frameEmbeddings().get();
                        int dim = given.dim();
                        float[] values = new float[count * frames * dim];
                        System.arraycopy(given.values(), start * frames * dim, values, 0, values.length);
                        embeddings = chunk.create(values, new Shape(count, frames, dim));
                        mask = new float[count * frames];
                        System.arraycopy(given.masks(), start * frames, mask, 0, mask.length);
                    } else {
                        var batch = data.batch(clips, captions);
                        int s = batch.imageSize();
                        NDArray pixels = chunk.create(batch.pixels(), new Shape((long) count * frames, 3, s, s));
                        embeddings = model.visual()
                                .forward(pixels, frames)
                                .frameEmbeddings()
                                .reshape(count, frames, -1);
                        mask = batch.validFrames();
                    }
                    NDArray texts = model.text().forward(chunk, tokenIds).textEmbeddings();
                    embeddings.attach(scope);
                    texts.attach(scope);
                    frameChunks.add(embeddings);
                    textChunks.add(texts);
                    maskChunks.add(scope.create(mask, new Shape(count, frames)));
                }
                progress.accept("evaluating: encoded " + Math.min(n, start + CHUNK) + "/" + n + " clips");
            }
            NDArray allFrames = NDArrays.concat(frameChunks, 0);
            NDArray allTexts = NDArrays.concat(textChunks, 0);
            NDArray allMasks = NDArrays.concat(maskChunks, 0);
            float[][] similarity = new float[n][];
            // Texts in chunks: the tight head scores every (text, clip) pair, n² sequences in all.
            for (int start = 0; start < n; start += CHUNK) {
                int count = Math.min(CHUNK, n - start);
                try (NDManager chunk = scope.newSubManager()) {
                    NDArray texts = allTexts.get(start + ":" + (start + count));
                    texts.attach(chunk);
                    // Copies owned by the chunk, so that the head's intermediates (which land on the frames' manager)
                    // are freed with each chunk instead of piling up until the end.
                    NDArray clipFrames = allFrames.duplicate();
                    clipFrames.attach(chunk);
                    NDArray masks = allMasks.duplicate();
                    masks.attach(chunk);
                    NDArray block = model.similarity(texts, clipFrames, masks, false);
                    float[] values = block.toFloatArray();
                    for (int r = 0; r < count; r++) {
                        float[] row = new float[n];
                        System.arraycopy(values, r * n, row, 0, n);
                        similarity[start + r] = row;
                    }
                }
            }
            return new Result(RetrievalMetrics.textToVideo(similarity), RetrievalMetrics.videoToText(similarity), n);
        }
    }
}
