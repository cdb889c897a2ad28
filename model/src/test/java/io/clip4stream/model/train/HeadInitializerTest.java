package io.clip4stream.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.spec.CheckpointLayout;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.ModelSpec;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.Checkpoint;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.model.weights.SafetensorsWriter;
import io.clip4stream.model.weights.TensorDType;
import io.clip4stream.model.weights.TensorData;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HeadInitializerTest {

    @TempDir
    Path temp;

    private static final ModelOptions OPTIONS = ModelOptions.defaults().withIntraOpThreads(1);

    /** The default tiny model (widths 64, 2 text blocks) with a 1000-token vocabulary to keep the files small. */
    private static final TinyModelShape SHAPE =
            new TinyModelShape(64, 2, 16, 64, 64, 2, 1000, 64, 2, 12, 32, SimilarityHead.MEAN_P, LinearPatch.TWO_D);

    private static Map<String, TensorData> clipOnly(TinyModelShape shape) {
        return new TinyModelGenerator(7)
                .tensors(shape).entrySet().stream()
                        .filter(entry -> entry.getKey().startsWith("clip."))
                        .collect(Collectors.toMap(
                                Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    }

    private Checkpoint open(Map<String, TensorData> tensors, String file) throws IOException {
        Path path = temp.resolve(file);
        new SafetensorsWriter().write(path, tensors, Map.of());
        return Checkpoint.open(List.of(path));
    }

    private static float[] floats(TensorData tensor) {
        assertEquals(TensorDType.F32, tensor.dtype());
        float[] out = new float[tensor.byteLength() / 4];
        ByteBuffer.wrap(tensor.littleEndianBytes())
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(out);
        return out;
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    private static double std(float[] values) {
        double mean = mean(values);
        double sum = 0;
        for (float value : values) {
            sum += (value - mean) * (value - mean);
        }
        return Math.sqrt(sum / values.length);
    }

    private static void assertEvery(float[] values, float expected, String name) {
        for (float value : values) {
            assertEquals(expected, value, name);
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = SimilarityHead.class,
            names = {"SEQ_LSTM", "SEQ_TRANSF", "TIGHT_TRANSF"})
    void theMergedDirectoryLoadsWithTheHeadAvailable(SimilarityHead head) throws IOException {
        Map<String, TensorData> clip = clipOnly(SHAPE);
        Map<String, TensorData> headTensors;
        try (Checkpoint checkpoint = open(clip, "clip.safetensors")) {
            headTensors = HeadInitializer.initialize(checkpoint, head, 2, 5);
        }
        Map<String, TensorData> merged = new LinkedHashMap<>(clip);
        merged.putAll(headTensors);
        ModelConfig config =
                new ModelConfig("init-" + head.configName(), "0", head, LinearPatch.TWO_D, 12, 32, 2, Optional.empty());
        ModelDirectory directory = ModelDirectory.write(temp.resolve("model"), config, merged);

        try (Checkpoint written = directory.openCheckpoint()) {
            ModelSpec spec =
                    CheckpointLayout.derive(written.source(), written.shapes(), written.nonFloatingPoint(), config);
            assertTrue(spec.heads().has(head));
        }
        try (Clip4ClipModel model = Clip4ClipModel.load(directory.root(), OPTIONS)) {
            assertEquals(head, model.info().head());
            assertEquals(head == SimilarityHead.TIGHT_TRANSF, model.hasTightHead());
        }
    }

    @Test
    void meanPHasNoTensors() throws IOException {
        try (Checkpoint checkpoint = open(clipOnly(SHAPE), "clip.safetensors")) {
            assertEquals(Map.of(), HeadInitializer.initialize(checkpoint, SimilarityHead.MEAN_P, 4, 1));
        }
    }

    @Test
    void seqTransfCopiesTheTextPositionsAndBlocksAndInitialisesTheBlocksBeyondTheTextDepth() throws IOException {
        Map<String, TensorData> head;
        try (Checkpoint clip = open(clipOnly(SHAPE), "clip.safetensors")) {
            head = HeadInitializer.initialize(clip, SimilarityHead.SEQ_TRANSF, 3, 5);

            assertEquals(1 + 3 * 12, head.size());
            assertArrayEquals(
                    new long[] {77, 64},
                    head.get("frame_position_embeddings.weight").shape());
            assertArrayEquals(
                    clip.floats("clip.positional_embedding"), floats(head.get("frame_position_embeddings.weight")));
            for (int block = 0; block < 2; block++) {
                for (String suffix : List.of(
                        "attn.in_proj_weight",
                        "attn.in_proj_bias",
                        "attn.out_proj.weight",
                        "attn.out_proj.bias",
                        "ln_1.weight",
                        "ln_1.bias",
                        "mlp.c_fc.weight",
                        "mlp.c_fc.bias",
                        "mlp.c_proj.weight",
                        "mlp.c_proj.bias",
                        "ln_2.weight",
                        "ln_2.bias")) {
                    String name = "transformerClip.resblocks." + block + "." + suffix;
                    assertArrayEquals(
                            clip.floats("clip.transformer.resblocks." + block + "." + suffix),
                            floats(head.get(name)),
                            name);
                }
            }
        }
        // The text tower has two blocks, so the third is what __init__ left there.
        String third = "transformerClip.resblocks.2.";
        float[] inProj = floats(head.get(third + "attn.in_proj_weight"));
        double xavier = Math.sqrt(6.0 / (64 + 3 * 64));
        for (float value : inProj) {
            assertTrue(Math.abs(value) <= xavier, () -> "in_proj_weight outside the Xavier bound: " + value);
        }
        assertEquals(xavier / Math.sqrt(3), std(inProj), 0.05 * xavier / Math.sqrt(3));
        assertEquals(0.02, std(floats(head.get(third + "mlp.c_fc.weight"))), 0.002);
        assertEquals(0.02, std(floats(head.get(third + "mlp.c_proj.weight"))), 0.002);
        assertEquals(0.02, std(floats(head.get(third + "attn.out_proj.weight"))), 0.003);
        assertEquals(0.0, mean(floats(head.get(third + "mlp.c_fc.weight"))), 0.002);
        for (String bias : List.of("attn.in_proj_bias", "attn.out_proj.bias", "mlp.c_fc.bias", "mlp.c_proj.bias")) {
            assertEvery(floats(head.get(third + bias)), 0f, bias);
        }
        assertEvery(floats(head.get(third + "ln_1.weight")), 1f, "ln_1.weight");
        assertEvery(floats(head.get(third + "ln_2.weight")), 1f, "ln_2.weight");
        assertEvery(floats(head.get(third + "ln_1.bias")), 0f, "ln_1.bias");
        assertEvery(floats(head.get(third + "ln_2.bias")), 0f, "ln_2.bias");
    }

    @Test
    void tightTransfCopiesTheTextTowerAndInitialisesThePoolerAndTheSimilarityLayer() throws IOException {
        Map<String, TensorData> head;
        try (Checkpoint clip = open(clipOnly(SHAPE), "clip.safetensors")) {
            head = HeadInitializer.initialize(clip, SimilarityHead.TIGHT_TRANSF, 2, 5);

            assertEquals(1 + 2 * 12 + 6, head.size());
            assertArrayEquals(
                    clip.floats("clip.positional_embedding"),
                    floats(head.get("cross.embeddings.position_embeddings.weight")));
            for (String name : head.keySet()) {
                if (name.startsWith("cross.transformer.resblocks.")) {
                    String source =
                            "clip.transformer.resblocks." + name.substring("cross.transformer.resblocks.".length());
                    assertArrayEquals(clip.floats(source), floats(head.get(name)), name);
                }
            }
        }
        float[] dense = floats(head.get("cross.pooler.dense.weight"));
        assertEquals(64 * 64, dense.length);
        assertEquals(0.02, std(dense), 0.002);
        assertEquals(0.0, mean(dense), 0.002);
        float[] similarity = floats(head.get("similarity_dense.weight"));
        assertArrayEquals(
                new long[] {1, 64}, head.get("similarity_dense.weight").shape());
        // 64 draws only: a loose check of the scale.
        assertTrue(std(similarity) > 0.01 && std(similarity) < 0.03, () -> "std " + std(similarity));
        assertEvery(floats(head.get("cross.pooler.dense.bias")), 0f, "dense.bias");
        assertEvery(floats(head.get("similarity_dense.bias")), 0f, "similarity_dense.bias");
        assertEvery(floats(head.get("cross.pooler.ln_pool.weight")), 1f, "ln_pool.weight");
        assertEvery(floats(head.get("cross.pooler.ln_pool.bias")), 0f, "ln_pool.bias");
    }

    @Test
    void seqLstmIsPyTorchsDefaultUniformBiasesIncludedAndKeepsTheUnusedFramePositions() throws IOException {
        Map<String, TensorData> head;
        try (Checkpoint clip = open(clipOnly(SHAPE), "clip.safetensors")) {
            head = HeadInitializer.initialize(clip, SimilarityHead.SEQ_LSTM, 4, 5);
            assertEquals(
                    Set.of(
                            "frame_position_embeddings.weight",
                            "lstm_visual.weight_ih_l0",
                            "lstm_visual.weight_hh_l0",
                            "lstm_visual.bias_ih_l0",
                            "lstm_visual.bias_hh_l0"),
                    head.keySet());
            assertArrayEquals(
                    clip.floats("clip.positional_embedding"), floats(head.get("frame_position_embeddings.weight")));
        }
        double bound = 1 / Math.sqrt(64);
        for (String name : List.of("lstm_visual.weight_ih_l0", "lstm_visual.weight_hh_l0")) {
            float[] weights = floats(head.get(name));
            assertArrayEquals(new long[] {256, 64}, head.get(name).shape());
            for (float value : weights) {
                assertTrue(Math.abs(value) <= bound, name);
            }
            assertEquals(bound / Math.sqrt(3), std(weights), 0.03 * bound / Math.sqrt(3), name);
        }
        for (String name : List.of("lstm_visual.bias_ih_l0", "lstm_visual.bias_hh_l0")) {
            float[] biases = floats(head.get(name));
            assertEquals(256, biases.length);
            for (float value : biases) {
                assertTrue(Math.abs(value) <= bound, name);
            }
            assertTrue(std(biases) > 0.5 * bound / Math.sqrt(3), () -> name + " is not uniform: " + std(biases));
        }
    }

    @Test
    void theSameSeedGivesTheSameTensorsAndAnotherSeedOtherRandomOnes() throws IOException {
        try (Checkpoint clip = open(clipOnly(SHAPE), "clip.safetensors")) {
            Map<String, TensorData> first = HeadInitializer.initialize(clip, SimilarityHead.TIGHT_TRANSF, 2, 5);
            Map<String, TensorData> again = HeadInitializer.initialize(clip, SimilarityHead.TIGHT_TRANSF, 2, 5);
            Map<String, TensorData> other = HeadInitializer.initialize(clip, SimilarityHead.TIGHT_TRANSF, 2, 6);

            assertEquals(first, again);
            assertNotEquals(first.get("cross.pooler.dense.weight"), other.get("cross.pooler.dense.weight"));
            assertNotEquals(first.get("similarity_dense.weight"), other.get("similarity_dense.weight"));
            assertEquals(
                    first.get("cross.transformer.resblocks.0.attn.in_proj_weight"),
                    other.get("cross.transformer.resblocks.0.attn.in_proj_weight"));
        }
    }

    @Test
    void aSourceOfAnotherShapeLeavesTheInitialisedTensorAsTheOriginalsLoadDoes() throws IOException {
        // Joint dimension 128 with a 64-wide text tower: the frame positions [77, 128] cannot take CLIP's [77, 64].
        Map<String, TensorData> clip = clipOnly(SHAPE);
        float[] projection = new float[64 * 128];
        Arrays.fill(projection, 0.01f);
        clip.put("clip.visual.proj", TensorData.f32(new long[] {64, 128}, projection));
        clip.put("clip.text_projection", TensorData.f32(new long[] {64, 128}, projection));

        try (Checkpoint checkpoint = open(clip, "wide.safetensors")) {
            Map<String, TensorData> head = HeadInitializer.initialize(checkpoint, SimilarityHead.SEQ_LSTM, 4, 5);

            assertArrayEquals(
                    new long[] {77, 128},
                    head.get("frame_position_embeddings.weight").shape());
            assertEquals(0.02, std(floats(head.get("frame_position_embeddings.weight"))), 0.002);
            assertArrayEquals(
                    new long[] {512, 128}, head.get("lstm_visual.weight_ih_l0").shape());
        }
    }

    @Test
    void aCheckpointWithHeadTensorsIsRefused() throws IOException {
        Map<String, TensorData> full = new TinyModelGenerator(7).tensors(SHAPE);
        try (Checkpoint checkpoint = open(full, "full.safetensors")) {
            IllegalArgumentException error = assertThrows(
                    IllegalArgumentException.class,
                    () -> HeadInitializer.initialize(checkpoint, SimilarityHead.SEQ_TRANSF, 2, 1));
            assertTrue(error.getMessage().contains("not CLIP-only"), error.getMessage());
            assertTrue(error.getMessage().contains("lstm_visual.weight_ih_l0"), error.getMessage());
        }
    }
}
