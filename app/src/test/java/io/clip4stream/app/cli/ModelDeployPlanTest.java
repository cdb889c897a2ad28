package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.runtime.kafka.ServedModel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code model deploy} decides before it publishes: same encoder, another encoder with or without kept media. */
class ModelDeployPlanTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static ServedModel model(String version, String fingerprint) {
        return new ServedModel("m", version, 8, 16, "bicubic", 16, "clip", "meanP", List.of(), fingerprint);
    }

    private static final ModelCatalog SERVING_A =
            ModelCatalog.EMPTY.with(model("a", "sha256:A").toRecord("encoder-service", 1));

    @Test
    void shouldDeployAVersionOfTheSameEncoderWithoutAskingForMedia() {
        ServedModel sameClip = model("b", "sha256:A");

        assertEquals(Optional.empty(), ModelChangeCommands.Deploy.refusal(SERVING_A, sameClip));
        assertFalse(ModelChangeCommands.Deploy.otherVisualEncoder(SERVING_A, sameClip));
    }

    @Test
    void shouldTellAnotherEncoderApartAndRefuseItOnlyWhenNoMediaIsKept() throws Exception {
        ServedModel otherClip = model("c", "sha256:C");
        assertEquals(Optional.empty(), ModelChangeCommands.Deploy.refusal(SERVING_A, otherClip));
        assertTrue(ModelChangeCommands.Deploy.otherVisualEncoder(SERVING_A, otherClip));

        ModelChangeCommands.KeptMedia some = ModelChangeCommands.KeptMedia.of(JSON.readTree(
                "{\"sources\": [{\"sourceId\": \"up\", \"mediaKept\": true}, {\"sourceId\": \"cam\", \"mediaKept\":"
                        + " false}, {\"sourceId\": \"old\"}]}"));
        assertEquals(new ModelChangeCommands.KeptMedia(1, 2, ""), some);

        ModelChangeCommands.KeptMedia none = ModelChangeCommands.KeptMedia.of(
                JSON.readTree("{\"sources\": [{\"sourceId\": \"cam\", \"mediaKept\": false}]}"));
        assertEquals(0, none.kept());
        String refusal = ModelChangeCommands.Deploy.otherEncoderRefusal(SERVING_A, otherClip, none);
        assertTrue(refusal.contains("different CLIP visual encoder than the current version a"), refusal);
        assertTrue(refusal.contains("none of the 1 source(s) has its video kept"), refusal);
        assertTrue(ModelChangeCommands.KeptMedia.of(JSON.readTree("{\"sources\": []}"))
                .why()
                .contains("holds no source"));
    }

    @Test
    void shouldRefuseAnotherEncoderThatPreparesFramesOtherwiseButNotOneOfTheSameEncoder() {
        ServedModel otherCrop = new ServedModel("m", "e", 8, 16, "bicubic", 12, "clip", "meanP", List.of(), "sha256:E");
        ServedModel sameClipOtherCrop =
                new ServedModel("m", "f", 8, 16, "bicubic", 12, "clip", "meanP", List.of(), "sha256:A");

        String refusal = ModelChangeCommands.Deploy.otherPreparation(SERVING_A, otherCrop)
                .orElseThrow();

        assertTrue(refusal.contains("crop 12) than the current version a (resize 16, bicubic, crop 16)"), refusal);
        assertEquals(Optional.empty(), ModelChangeCommands.Deploy.otherPreparation(SERVING_A, model("c", "sha256:C")));
        assertFalse(ModelChangeCommands.Deploy.otherVisualEncoder(SERVING_A, sameClipOtherCrop));
    }

    @Test
    void shouldRefuseAVersionWhoseEncoderCannotBeCompared() {
        ServedModel unknown = model("d", null);

        Optional<String> refusal = ModelChangeCommands.Deploy.refusal(SERVING_A, unknown);

        assertTrue(refusal.orElseThrow().contains("is unknown (no fingerprint"), refusal.get());
        assertFalse(ModelChangeCommands.Deploy.otherVisualEncoder(SERVING_A, unknown));
    }
}
