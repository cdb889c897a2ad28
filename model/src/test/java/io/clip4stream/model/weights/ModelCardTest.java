package io.clip4stream.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What config.json says beyond the network, and the re-rank fusion it records. */
class ModelCardTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Path modelWith(Path dir, String rerank) throws Exception {
        Path root = new TinyModelGenerator(1)
                .generate(dir, TinyModelShape.defaults(), "tiny")
                .root();
        Path config = root.resolve(ModelDirectory.CONFIG_FILE);
        ObjectNode json = (ObjectNode) JSON.readTree(config.toFile());
        if (rerank != null) {
            json.set("rerank", JSON.readTree(rerank));
        }
        Files.writeString(config, json.toString());
        return root;
    }

    @Test
    void readsTheRecordedFirstStageWeightAndFusesWithIt(@TempDir Path dir) throws Exception {
        ModelCard card = ModelCard.read(modelWith(dir, "{\"first_stage_weight\": 20, \"chosen_on\": \"validation\"}"));

        assertEquals(OptionalDouble.of(20), card.rerankFirstStageWeight());
        float[] tight = {3.0f, 2.5f, -1f};
        float[] first = {0.10f, 0.14f, 0.30f};
        // 3 + 2 = 5, 2.5 + 2.8 = 5.3, -1 + 6 = 5: the first stage's margin now outweighs the tight head's.
        assertArrayEquals(new float[] {5.0f, 5.3f, 5.0f}, card.rerankScores(tight, first), 1e-5f);
    }

    @Test
    void withoutARecordTheTightLogitsOrderAlone(@TempDir Path dir) throws Exception {
        ModelCard card = ModelCard.read(modelWith(dir, null));

        assertTrue(card.rerankFirstStageWeight().isEmpty());
        float[] tight = {3.0f, 2.5f, -1f};
        assertArrayEquals(tight, card.rerankScores(tight, new float[] {0.1f, 0.9f, 0.5f}));
    }

    @Test
    void refusesAWeightThatIsNotANonNegativeNumber(@TempDir Path dir) throws Exception {
        Path text = modelWith(dir.resolve("a"), "{\"first_stage_weight\": \"high\"}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCard.read(text));
        assertTrue(e.getMessage().contains("rerank.first_stage_weight"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new ModelCard(Optional.empty(), List.of(), List.of(), OptionalDouble.of(-1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new ModelCard(Optional.empty(), List.of(), List.of(), OptionalDouble.of(Double.NaN)));
    }

    @Test
    void refusesScoresOfDifferentCandidates() {
        ModelCard card = new ModelCard(Optional.empty(), List.of(), List.of(), OptionalDouble.of(1));
        assertThrows(IllegalArgumentException.class, () -> card.rerankScores(new float[2], new float[3]));
    }

    @Test
    void readsTheFrameEncodingOfTheVersionsClips(@TempDir Path dir) throws Exception {
        Path root = modelWith(dir.resolve("a"), null);
        assertEquals(Optional.empty(), ModelCard.read(root).frameEncoding(), "absent: float32, as before");
        Path config = root.resolve(ModelDirectory.CONFIG_FILE);
        ObjectNode json = (ObjectNode) JSON.readTree(config.toFile());
        json.put(ModelCard.FRAME_ENCODING_FIELD, "float16");
        Files.writeString(config, json.toString());

        assertEquals(Optional.of("float16"), ModelCard.read(root).frameEncoding());

        json.put(ModelCard.FRAME_ENCODING_FIELD, 16);
        Files.writeString(config, json.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCard.read(root));
        assertTrue(e.getMessage().contains("frame_encoding must be a string"), e.getMessage());
    }
}
