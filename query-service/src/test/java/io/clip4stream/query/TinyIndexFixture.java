package io.clip4stream.query;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelInfo;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.TensorData;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.runtime.config.Env;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * A tiny CLIP4Clip model and clips embedded by it: real frame embeddings and real aggregated clip vectors of random
 * frames, with JPEG thumbnails, ready to be served by {@link InMemoryIndexServer}s.
 */
public final class TinyIndexFixture implements AutoCloseable {
    /** Frames per generated clip. */
    public static final int FRAMES_PER_CLIP = 4;

    private final Clip4ClipModel model;
    private final List<InMemoryIndexServer.ClipInfo> clips = new ArrayList<>();
    private final List<float[][]> frames = new ArrayList<>();
    private final List<float[]> vectors = new ArrayList<>();

    private TinyIndexFixture(Clip4ClipModel model) {
        this.model = model;
    }

    /** Generates (seeded) and loads a tiny model with every head, the tight one included. */
    public static TinyIndexFixture withTightHead(Path dir) throws IOException {
        new TinyModelGenerator(7).generate(dir, TinyModelShape.defaults(), "tiny-query");
        return new TinyIndexFixture(load(dir));
    }

    /** Generates and loads a tiny model whose checkpoint lacks the tight head's weights. */
    public static TinyIndexFixture withoutTightHead(Path dir) throws IOException {
        TinyModelShape shape = TinyModelShape.defaults();
        Map<String, TensorData> tensors = new LinkedHashMap<>(new TinyModelGenerator(7).tensors(shape));
        tensors.keySet().removeIf(name -> name.startsWith("cross.") || name.startsWith("similarity_dense."));
        ModelDirectory.write(
                dir,
                new ModelConfig(
                        "tiny-loose",
                        "tiny-seed-7",
                        shape.head(),
                        shape.linearPatch(),
                        shape.maxFrames(),
                        shape.maxWords(),
                        shape.crossLayers(),
                        Optional.empty()),
                tensors);
        return new TinyIndexFixture(load(dir));
    }

    /** Generates and loads a tiny model with every head's weights whose config.json says only meanP was trained. */
    public static TinyIndexFixture withUntrainedTightHead(Path dir) throws IOException {
        ModelDirectory generated = new TinyModelGenerator(7).generate(dir, TinyModelShape.defaults(), "tiny-zero-shot");
        java.nio.file.Files.writeString(
                dir.resolve(ModelDirectory.CONFIG_FILE),
                generated
                        .config()
                        .withTrainedHeads(java.util.Set.of(io.clip4stream.model.spec.SimilarityHead.MEAN_P))
                        .toJson());
        return new TinyIndexFixture(load(dir));
    }

    private static Clip4ClipModel load(Path dir) {
        return Clip4ClipModel.load(
                dir,
                ModelOptions.defaults()
                        .withDevice(ModelOptions.DeviceChoice.CPU)
                        .withIntraOpThreads(1));
    }

    /** The model. */
    public Clip4ClipModel model() {
        return model;
    }

    /** The model's identity. */
    public ModelInfo info() {
        return model.info();
    }

    /** Adds {@code count} clips of {@code sourceId} embedded from random frames (seeded by source and index). */
    public TinyIndexFixture addClips(String sourceId, int count, String tenant, List<String> tags) {
        int size = model.info().imageSize();
        for (int i = 0; i < count; i++) {
            SplittableRandom random = new SplittableRandom(sourceId.hashCode() * 1000L + i);
            float[] pixels = new float[FRAMES_PER_CLIP * 3 * size * size];
            for (int p = 0; p < pixels.length; p++) {
                pixels[p] = (float) (random.nextDouble() * 4 - 2);
            }
            float[][] clipFrames = model.embedFrames(pixels, FRAMES_PER_CLIP);
            add(sourceId, i, tenant, tags, clipFrames, model.aggregateClip(clipFrames));
        }
        return this;
    }

    /**
     * Adds {@code count} clips of {@code sourceId} stored under {@code modelVersion} instead of the model's own
     * version, as an index holds them after another model embedded them.
     */
    public TinyIndexFixture addClipsUnder(String modelVersion, String sourceId, int count) {
        int first = clips.size();
        addClips(sourceId, count, "acme", List.of());
        for (int i = first; i < clips.size(); i++) {
            InMemoryIndexServer.ClipInfo c = clips.get(i);
            clips.set(
                    i,
                    new InMemoryIndexServer.ClipInfo(
                            c.clipId(),
                            c.sourceId(),
                            c.clipIndex(),
                            c.startMicros(),
                            c.endMicros(),
                            c.tenant(),
                            c.tags(),
                            modelVersion,
                            c.thumbnailJpeg()));
        }
        return this;
    }

    /** Adds one clip whose vector is exactly {@code vector} (frames are copies of it), to plant a known answer. */
    public TinyIndexFixture addPlantedClip(String sourceId, long clipIndex, float[] vector) {
        float[][] clipFrames = new float[FRAMES_PER_CLIP][];
        for (int f = 0; f < FRAMES_PER_CLIP; f++) {
            clipFrames[f] = vector.clone();
        }
        add(sourceId, clipIndex, "default", List.of(), clipFrames, vector.clone());
        return this;
    }

    /**
     * Adds a live source's growing clip holding only {@code frameCount} frames, flagged provisional, as the index
     * serves it before the clip closes.
     */
    public TinyIndexFixture addProvisionalClip(String sourceId, long clipIndex, int frameCount) {
        int size = model.info().imageSize();
        SplittableRandom random = new SplittableRandom(sourceId.hashCode() * 1000L + clipIndex);
        float[] pixels = new float[frameCount * 3 * size * size];
        for (int p = 0; p < pixels.length; p++) {
            pixels[p] = (float) (random.nextDouble() * 4 - 2);
        }
        float[][] clipFrames = model.embedFrames(pixels, frameCount);
        add(sourceId, clipIndex, "default", List.of(), clipFrames, model.aggregateClip(clipFrames));
        InMemoryIndexServer.ClipInfo c = clips.getLast();
        clips.set(
                clips.size() - 1,
                new InMemoryIndexServer.ClipInfo(
                        c.clipId(),
                        c.sourceId(),
                        c.clipIndex(),
                        c.startMicros(),
                        c.startMicros() + frameCount * 1_000_000L,
                        c.tenant(),
                        c.tags(),
                        c.modelVersion(),
                        null,
                        true));
        return this;
    }

    private void add(
            String sourceId, long index, String tenant, List<String> tags, float[][] clipFrames, float[] vector) {
        long start = index * 12_000_000L;
        clips.add(new InMemoryIndexServer.ClipInfo(
                sourceId + ":" + index,
                sourceId,
                index,
                start,
                start + 12_000_000L,
                tenant,
                tags,
                model.info().modelVersion(),
                thumbnail(sourceId.hashCode() + (int) index)));
        frames.add(clipFrames);
        vectors.add(vector);
    }

    /** The clips added so far. */
    public List<InMemoryIndexServer.ClipInfo> clips() {
        return List.copyOf(clips);
    }

    /** The frame embeddings of clip {@code ordinal}. */
    public float[][] frames(int ordinal) {
        return frames.get(ordinal);
    }

    /** The vector of clip {@code ordinal}. */
    public float[] vector(int ordinal) {
        return vectors.get(ordinal);
    }

    /** Starts an index instance serving the clips of {@code sources} (all when empty) as {@code partitions}. */
    public InMemoryIndexServer serve(List<String> sources, List<Integer> partitions) {
        List<InMemoryIndexServer.ClipInfo> served = new ArrayList<>();
        List<float[][]> servedFrames = new ArrayList<>();
        int dim = model.info().embedDim();
        List<float[]> servedVectors = new ArrayList<>();
        for (int i = 0; i < clips.size(); i++) {
            if (sources.isEmpty() || sources.contains(clips.get(i).sourceId())) {
                served.add(clips.get(i));
                servedFrames.add(frames.get(i));
                servedVectors.add(vectors.get(i));
            }
        }
        float[] flat = new float[served.size() * dim];
        for (int i = 0; i < served.size(); i++) {
            System.arraycopy(servedVectors.get(i), 0, flat, i * dim, dim);
        }
        return new InMemoryIndexServer(served, flat, dim, servedFrames::get, partitions);
    }

    /** The environment of a query service over {@code indexUrls}, plus {@code extra} settings. */
    public static Env env(Path modelDir, String indexUrls, Map<String, String> extra) {
        Map<String, String> variables = new HashMap<>();
        variables.put("CLIP4S_QUERY_HTTP_PORT", "0");
        variables.put("CLIP4S_QUERY_BIND_ADDRESS", "127.0.0.1");
        variables.put("CLIP4S_MODEL_DIR", modelDir.toString());
        variables.put("CLIP4S_QUERY_INDEX_URLS", indexUrls);
        variables.put("CLIP4S_QUERY_INDEX_DISCOVERY", "static");
        // Generous: the build machine is shared and loaded; only the timeout test wants a shard to be too slow.
        variables.put("CLIP4S_QUERY_SHARD_TIMEOUT_MS", "30000");
        variables.putAll(extra);
        return new Env(variables);
    }

    private static byte[] thumbnail(int seed) {
        BufferedImage image = new BufferedImage(64, 36, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(
                Math.floorMod(seed * 2654435761L, 0xFFFFFFL) > 0
                        ? (int) Math.floorMod(seed * 2654435761L, 0xFFFFFFL)
                        : 0x336699));
        g.fillRect(0, 0, 64, 36);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode a test thumbnail", e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        model.close();
    }
}
