package io.clip4stream.model.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

    private static final String BASE = "\"model_id\": \"m\", \"model_version\": \"1\", \"sim_header\": \"meanP\","
            + " \"max_frames\": 12, \"max_words\": 32, \"cross_num_hidden_layers\": 4";

    @Test
    void shouldRoundTripPreprocessingAndTrainedHeads() {
        ModelConfig config = new ModelConfig(
                "mm",
                "2",
                SimilarityHead.MEAN_P,
                LinearPatch.TWO_D,
                12,
                77,
                4,
                Optional.empty(),
                Optional.of(new Preprocessing(256, "bilinear", 224, "clip")),
                Optional.of(EnumSet.of(SimilarityHead.MEAN_P)));
        ModelConfig read = ModelConfig.fromJson(config.toJson());
        assertEquals(config, read);
        assertTrue(config.toJson().contains("\"resize_size\" : 256"), config.toJson());
    }

    @Test
    void shouldCountEveryHeadAsTrainedWhenTheDirectoryDoesNotSay() {
        ModelConfig legacy = ModelConfig.fromJson("{" + BASE + "}");
        assertEquals(Optional.empty(), legacy.trainedHeads());
        assertTrue(legacy.isTrained(SimilarityHead.TIGHT_TRANSF));
        ModelConfig zeroShot = ModelConfig.fromJson("{" + BASE + ", \"trained_heads\": []}");
        assertFalse(zeroShot.isTrained(SimilarityHead.TIGHT_TRANSF));
        assertTrue(zeroShot.isTrained(SimilarityHead.MEAN_P), "meanP has no weights to train");
        assertEquals(Optional.of(Set.of()), zeroShot.trainedHeads());
        assertEquals(
                zeroShot.trainedHeads(),
                zeroShot.withSimHeader(SimilarityHead.SEQ_TRANSF).trainedHeads());
    }

    @Test
    void shouldListEveryProblemOfTheNewFields() {
        IllegalArgumentException error = assertThrows(
                IllegalArgumentException.class,
                () -> ModelConfig.fromJson("{" + BASE + ", \"trained_heads\": [\"fancy\"], \"preprocessing\":"
                        + " {\"resize\": \"long_side\", \"resize_size\": 200, \"crop_size\": 224}}"));
        assertTrue(error.getMessage().contains("trained_heads: unknown sim_header 'fancy'"), error.getMessage());
        assertTrue(error.getMessage().contains("preprocessing.resize must be short_side"), error.getMessage());
        assertTrue(error.getMessage().contains("resize_size 200 must be at least crop_size 224"), error.getMessage());
    }
}
