package io.clip4stream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.spec.InvalidCheckpointException;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.SafetensorsFile;
import io.clip4stream.model.weights.TensorData;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade against the original's outputs on the tiny 2D fixture (6-frame clips, 16-token captions), plus loading
 * errors, F16 weights, concurrency and native-memory hygiene.
 */
class Clip4ClipModelTest {

    private static final int FRAMES = 6;
    private static final int SIZE = 64;
    private static final int FRAME_FLOATS = 3 * SIZE * SIZE;
    private static final int[] CLIP_LENGTHS = {6, 4, 1};

    @TempDir
    static Path temp;

    private static SafetensorsFile fixtureWeights;
    private static SafetensorsFile inputs;
    private static SafetensorsFile expected;
    private static Map<String, TensorData> fixtureTensors;

    @BeforeAll
    static void readFixture() throws IOException, URISyntaxException {
        fixtureWeights = SafetensorsFile.open(resource("/parity/model-tiny-2d/weights.safetensors"));
        inputs = SafetensorsFile.open(resource("/parity/model-tiny-2d/inputs.safetensors"));
        expected = SafetensorsFile.open(resource("/parity/model-tiny-2d/expected.safetensors"));
        fixtureTensors = new LinkedHashMap<>();
        for (String name : fixtureWeights.names()) {
            fixtureTensors.put(name, TensorData.f32(fixtureWeights.info(name).shape(), fixtureWeights.floats(name)));
        }
    }

    @AfterAll
    static void closeFixture() throws IOException {
        fixtureWeights.close();
        inputs.close();
        expected.close();
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(Clip4ClipModelTest.class.getResource(name).toURI());
    }

    private static Path modelDir(String name, SimilarityHead head, Map<String, TensorData> tensors) throws IOException {
        ModelConfig config = new ModelConfig(name, "1", head, LinearPatch.TWO_D, FRAMES, 16, 2, Optional.empty());
        return ModelDirectory.write(temp.resolve(name), config, tensors).root();
    }

    private static Clip4ClipModel load(String name, SimilarityHead head) throws IOException {
        return Clip4ClipModel.load(
                modelDir(name, head, fixtureTensors), ModelOptions.defaults().withIntraOpThreads(1));
    }

    private static float[] clipPixels(int clip) {
        float[] video = inputs.floats("video");
        int frames = CLIP_LENGTHS[clip];
        return Arrays.copyOfRange(video, clip * FRAMES * FRAME_FLOATS, (clip * FRAMES + frames) * FRAME_FLOATS);
    }

    private static int[] row(String name, int row) {
        long[] values = inputs.longs(name);
        int width = (int) inputs.info(name).shape()[1];
        return Arrays.stream(Arrays.copyOfRange(values, row * width, (row + 1) * width))
                .mapToInt(Math::toIntExact)
                .toArray();
    }

    private static float[] expectedRow(String name, int index) {
        float[] values = expected.floats(name);
        long[] shape = expected.info(name).shape();
        int width = (int) shape[shape.length - 1];
        return Arrays.copyOfRange(values, index * width, (index + 1) * width);
    }

    /** The fixture's bound for a tensor: 3e-5 x max|expected| (the manifest's atol rule). */
    private static float bound(String name) {
        float max = 0;
        for (float value : expected.floats(name)) {
            max = Math.max(max, Math.abs(value));
        }
        return 3e-5f * max;
    }

    private static void assertClose(float[] want, float[] got, float bound, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            float error = Math.abs(want[i] - got[i]);
            assertTrue(error <= bound, what + "[" + i + "]: " + got[i] + " vs " + want[i] + " (bound " + bound + ")");
        }
    }

    private float[][] embedClip(Clip4ClipModel model, int clip) {
        return model.embedFrames(clipPixels(clip), CLIP_LENGTHS[clip]);
    }

    @Test
    void frameEmbeddingsAndClipVectorsMatchTheOriginalForEveryLooseHead() throws IOException {
        for (SimilarityHead head : List.of(SimilarityHead.MEAN_P, SimilarityHead.SEQ_LSTM, SimilarityHead.SEQ_TRANSF)) {
            try (Clip4ClipModel model = load("loose-" + head.configName(), head)) {
                for (int clip = 0; clip < CLIP_LENGTHS.length; clip++) {
                    float[][] frames = embedClip(model, clip);
                    for (int f = 0; f < frames.length; f++) {
                        assertClose(
                                expectedRow("visual_output", clip * FRAMES + f),
                                frames[f],
                                bound("visual_output"),
                                "frame " + f + " of clip " + clip);
                    }
                    String vectors = head.configName() + ".video_vectors";
                    assertClose(
                            expectedRow(vectors, clip),
                            model.aggregateClip(frames),
                            bound(vectors),
                            vectors + " clip " + clip);
                }
            }
        }
    }

    @Test
    void batchAggregationEqualsOneClipAtATime() throws IOException {
        try (Clip4ClipModel model = load("batch", SimilarityHead.SEQ_TRANSF)) {
            float[][][] clips = {embedClip(model, 0), embedClip(model, 1), embedClip(model, 2)};
            float[][] batch = model.aggregateClips(clips);
            for (int clip = 0; clip < clips.length; clip++) {
                assertClose(model.aggregateClip(clips[clip]), batch[clip], 1e-6f, "clip " + clip);
            }
        }
    }

    @Test
    void textEmbeddingsAreTheOriginalsNormalised() throws IOException {
        try (Clip4ClipModel model = load("text", SimilarityHead.MEAN_P)) {
            for (int text = 0; text < 4; text++) {
                float[] raw = expectedRow("text_output", text);
                double norm = Math.sqrt(dot(raw, raw));
                float[] want = new float[raw.length];
                for (int i = 0; i < raw.length; i++) {
                    want[i] = (float) (raw[i] / norm);
                }
                float[] got = model.encodeText(row("input_ids", text), row("input_mask", text));
                assertClose(want, got, 2e-6f, "text " + text);
                float sim = (float) Math.exp(model.info().logitScale())
                        * (float) dot(got, model.aggregateClip(embedClip(model, 1)));
                assertEquals(expectedRow("meanP.sim", text)[1], sim, bound("meanP.sim"), "meanP.sim text " + text);
            }
        }
    }

    @Test
    void whatFollowsTheEotTokenNeverChangesACaptionsEmbedding() throws IOException {
        // encodeText cuts captions after the last EOT of the batch (the mask is causal): tokens after it, padding or
        // not, and a batch neighbour with a later EOT must leave the embedding as the original computes it.
        try (Clip4ClipModel model = load("text-cut", SimilarityHead.MEAN_P)) {
            for (int text = 0; text < 4; text++) {
                int[] ids = row("input_ids", text);
                int[] mask = row("input_mask", text);
                int eot = 0;
                for (int i = 1; i < ids.length; i++) {
                    eot = ids[i] > ids[eot] ? i : eot;
                }
                float[] alone = model.encodeText(ids, mask);
                int[] noisy = ids.clone();
                for (int i = eot + 1; i < noisy.length; i++) {
                    noisy[i] = 1 + (i * 7) % Math.max(1, ids[eot] - 1); // below the EOT id: EOT stays the argmax
                }
                assertClose(alone, model.encodeText(noisy, mask), 2e-6f, "text " + text + " with tokens after EOT");
                float[][] batch = model.encodeTexts(new int[][] {ids, row("input_ids", (text + 1) % 4)}, new int[][] {
                    mask, row("input_mask", (text + 1) % 4)
                });
                assertClose(alone, batch[0], 2e-6f, "text " + text + " beside another caption");
            }
        }
    }

    @Test
    void tightScoresMatchTheOriginalLogits() throws IOException {
        try (Clip4ClipModel model = load("tight", SimilarityHead.TIGHT_TRANSF)) {
            assertTrue(model.hasTightHead());
            float[][][] clips = {embedClip(model, 0), embedClip(model, 1), embedClip(model, 2)};
            for (int text = 0; text < 4; text++) {
                float[] scores = model.tightScores(row("input_ids", text), row("input_mask", text), clips);
                assertClose(expectedRow("tightTransf.sim", text), scores, bound("tightTransf.sim"), "text " + text);
                // The same scores from a caption encoded once (raw), and its normalised form is encodeText's.
                float[] raw = model.encodeTextRaw(row("input_ids", text), row("input_mask", text));
                org.junit.jupiter.api.Assertions.assertArrayEquals(scores, model.tightScores(raw, clips));
                double norm = 0;
                for (float v : raw) {
                    norm += v * v;
                }
                float[] normalised = model.encodeText(row("input_ids", text), row("input_mask", text));
                for (int d = 0; d < raw.length; d++) {
                    org.junit.jupiter.api.Assertions.assertEquals(raw[d] / Math.sqrt(norm), normalised[d], 1e-6);
                }
            }
        }
    }

    @Test
    void aCheckpointWithoutTightWeightsRefusesTightScoring() throws IOException {
        Map<String, TensorData> noTight =
                without(fixtureTensors, name -> name.startsWith("cross.") || name.startsWith("similarity_dense."));
        try (Clip4ClipModel model =
                Clip4ClipModel.load(modelDir("no-tight", SimilarityHead.MEAN_P, noTight), ModelOptions.defaults())) {
            assertFalse(model.hasTightHead());
            assertFalse(model.info().tightHead());
            float[][][] clips = {embedClip(model, 2)};
            UnsupportedOperationException error = assertThrows(
                    UnsupportedOperationException.class,
                    () -> model.tightScores(row("input_ids", 0), row("input_mask", 0), clips));
            assertTrue(error.getMessage().contains("no tightTransf weights"), error.getMessage());
        }
    }

    @Test
    void missingAndMisShapedTensorsFailTheLoadWithOneDescriptiveError() throws IOException {
        Map<String, TensorData> broken = without(fixtureTensors, name -> name.equals("clip.visual.ln_pre.weight"));
        broken.put("lstm_visual.weight_hh_l0", TensorData.f32(new long[] {64, 64}, new float[64 * 64]));
        Path dir = modelDir("broken", SimilarityHead.SEQ_LSTM, broken);

        InvalidCheckpointException error =
                assertThrows(InvalidCheckpointException.class, () -> Clip4ClipModel.load(dir, ModelOptions.defaults()));

        assertEquals(
                List.of(
                        "missing tensor clip.visual.ln_pre.weight, expected shape [64]",
                        "tensor lstm_visual.weight_hh_l0 has shape [64, 64] but expected [256, 64]"),
                error.problems());
        assertTrue(error.getMessage().contains("weights.safetensors"), error.getMessage());
    }

    @Test
    void mixedF16AndF32WeightsLoadToTheSameNumbers() throws IOException, URISyntaxException {
        Map<String, TensorData> mixed = new LinkedHashMap<>(fixtureTensors);
        Set<String> halfPrecision;
        try (SafetensorsFile subset =
                SafetensorsFile.open(resource("/parity/model-tiny-2d/weights-mixed-subset.safetensors"))) {
            halfPrecision = subset.names();
            for (String name : subset.names()) {
                float[] widened = subset.floats(name);
                // The subset stores the same values; upcast they equal the F32 tensors bit for bit.
                assertArrayEquals(fixtureWeights.floats(name), widened, name);
                mixed.put(
                        name,
                        switch (subset.info(name).dtype()) {
                            case F16 -> TensorData.f16(subset.info(name).shape(), widened);
                            default -> TensorData.f32(subset.info(name).shape(), widened);
                        });
            }
        }
        assertTrue(halfPrecision.contains("clip.visual.conv1.weight"));
        try (Clip4ClipModel model =
                        Clip4ClipModel.load(modelDir("mixed", SimilarityHead.MEAN_P, mixed), ModelOptions.defaults());
                Clip4ClipModel reference = load("f32", SimilarityHead.MEAN_P)) {
            float[][] frames = embedClip(model, 0);
            assertArrayEquals(embedClip(reference, 0), frames);
            assertClose(
                    expectedRow("meanP.video_vectors", 0),
                    model.aggregateClip(frames),
                    bound("meanP.video_vectors"),
                    "mixed-precision meanP");
        }
    }

    @Test
    void concurrentCallsGiveTheSameResultsAsSequentialOnes() throws Exception {
        try (Clip4ClipModel model = load("concurrent", SimilarityHead.SEQ_TRANSF)) {
            float[][] wantFrames = embedClip(model, 1);
            float[] wantClip = model.aggregateClip(wantFrames);
            float[] wantText = model.encodeText(row("input_ids", 3), row("input_mask", 3));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int task = 0; task < 16; task++) {
                    results.add(pool.submit(() -> {
                        float[][] frames = embedClip(model, 1);
                        return Arrays.deepEquals(wantFrames, frames)
                                && Arrays.equals(wantClip, model.aggregateClip(frames))
                                && Arrays.equals(wantText, model.encodeText(row("input_ids", 3), row("input_mask", 3)));
                    }));
                }
                for (Future<Boolean> result : results) {
                    assertTrue(result.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void repeatedCallsReleaseEveryNativeArray() throws IOException {
        try (Clip4ClipModel model = load("leak", SimilarityHead.TIGHT_TRANSF)) {
            int afterLoad = model.liveNativeArrays();
            assertTrue(afterLoad > 0);
            float[][][] clips = {embedClip(model, 0), embedClip(model, 2)};
            for (int call = 0; call < 200; call++) {
                model.embedFrames(clipPixels(2), 1);
                model.aggregateClips(clips);
                model.encodeText(row("input_ids", call % 4), row("input_mask", call % 4));
                model.tightScores(row("input_ids", 1), row("input_mask", 1), clips);
            }
            assertEquals(afterLoad, model.liveNativeArrays());
        }
    }

    @Test
    void aClipLongerThanMaxFramesIsCutUniformlyAsTheOriginal() throws IOException {
        try (Clip4ClipModel model = load("uniform", SimilarityHead.SEQ_TRANSF)) {
            float[][] six = embedClip(model, 0);
            float[][] seven = Arrays.copyOf(six, 7);
            seven[6] = embedClip(model, 2)[0];
            // floor(linspace(0, 6, 6)) = 0 1 2 3 4 6.
            float[][] kept = {six[0], six[1], six[2], six[3], six[4], seven[6]};

            assertArrayEquals(model.aggregateClip(kept), model.aggregateClip(seven));
            float[][][] longClip = {seven};
            float[][][] keptClip = {kept};
            assertArrayEquals(
                    model.tightScores(row("input_ids", 0), row("input_mask", 0), keptClip),
                    model.tightScores(row("input_ids", 0), row("input_mask", 0), longClip));
        }
    }

    @Test
    void infoDescribesTheModel() throws IOException {
        try (Clip4ClipModel model = load("info", SimilarityHead.SEQ_LSTM)) {
            ModelInfo info = model.info();
            assertEquals("info", info.modelId());
            assertEquals(64, info.embedDim());
            assertEquals(64, info.imageSize());
            assertEquals(6, info.maxFrames());
            assertEquals(16, info.maxWords());
            assertEquals(SimilarityHead.SEQ_LSTM, info.head());
            assertEquals(4.25f, info.logitScale());
            assertTrue(info.tightHead());
        }
    }

    @Test
    void badInputsAreRejectedWithTheirSizes() throws IOException {
        try (Clip4ClipModel model = load("inputs", SimilarityHead.MEAN_P)) {
            IllegalArgumentException pixels =
                    assertThrows(IllegalArgumentException.class, () -> model.embedFrames(new float[10], 1));
            assertTrue(pixels.getMessage().contains("12288"), pixels.getMessage());
            IllegalArgumentException frames =
                    assertThrows(IllegalArgumentException.class, () -> model.aggregateClip(new float[0][]));
            assertTrue(frames.getMessage().contains("1..6"), frames.getMessage());
            IllegalArgumentException ids = assertThrows(
                    IllegalArgumentException.class, () -> model.encodeText(new int[] {998, 1000}, new int[] {1, 1}));
            assertTrue(ids.getMessage().contains("1000"), ids.getMessage());
        }
    }

    private static Map<String, TensorData> without(Map<String, TensorData> tensors, Predicate<String> drop) {
        Map<String, TensorData> kept = new LinkedHashMap<>();
        tensors.forEach((name, data) -> {
            if (!drop.test(name)) {
                kept.put(name, data);
            }
        });
        return kept;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }

    private static Path modelDirPreparedAs(String name, Optional<Preprocessing> preprocessing) throws IOException {
        ModelConfig config = new ModelConfig(
                name,
                "1",
                SimilarityHead.MEAN_P,
                LinearPatch.TWO_D,
                FRAMES,
                16,
                2,
                Optional.empty(),
                preprocessing,
                Optional.empty());
        return ModelDirectory.write(temp.resolve(name), config, fixtureTensors).root();
    }

    @Test
    void shouldReportTheRecordedPreprocessingOrClipsAtItsInputResolution() throws IOException {
        Preprocessing mmactionLike = new Preprocessing(72, "bilinear", SIZE, "clip");
        try (Clip4ClipModel recorded = Clip4ClipModel.load(
                modelDirPreparedAs("prep-recorded", Optional.of(mmactionLike)),
                ModelOptions.defaults().withIntraOpThreads(1))) {
            assertEquals(mmactionLike, recorded.preprocessing());
        }
        try (Clip4ClipModel standard = Clip4ClipModel.load(
                modelDirPreparedAs("prep-default", Optional.empty()),
                ModelOptions.defaults().withIntraOpThreads(1))) {
            assertEquals(Preprocessing.clip(SIZE), standard.preprocessing());
        }
    }

    @Test
    void shouldRefuseAPreprocessingWhoseCropIsNotTheInputResolution() throws IOException {
        Path dir = modelDirPreparedAs("prep-wrong-crop", Optional.of(new Preprocessing(72, "bilinear", 56, "clip")));
        ModelLoadException e = assertThrows(
                ModelLoadException.class,
                () -> Clip4ClipModel.load(dir, ModelOptions.defaults().withIntraOpThreads(1)));
        assertTrue(e.getMessage().contains("centre crop 56") && e.getMessage().contains("64 pixels"), e.getMessage());
    }
}
