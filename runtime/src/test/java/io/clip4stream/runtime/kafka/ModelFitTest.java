package io.clip4stream.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelFitTest {

    static ServedModel model(String id, String version, int width, int resize, String filter) {
        return new ServedModel(id, version, width, resize, filter, 224, "clip", "meanP", List.of("meanP"));
    }

    private static final ServedModel OPENAI = model("openai/ViT-B-32", "1", 512, 224, "bicubic");
    private static final ServedModel MMACTION = model("mmaction2/clip4clip", "2", 512, 256, "bilinear");

    @Test
    void shouldAcceptTheRecordedModelAndAnotherVersionOfTheSameWidth() {
        ModelFit fit = new ModelFit(List.of(OPENAI));
        assertEquals(Optional.empty(), fit.mismatch(OPENAI));
        assertEquals(Optional.empty(), new ModelFit(List.of()).mismatch(OPENAI));
        // Another version with other preprocessing is how a deployment moves to another model.
        assertEquals(Optional.empty(), fit.mismatch(MMACTION));
        // Heads may differ under one version (a trained head added to the same CLIP): vectors stay comparable.
        assertEquals(
                Optional.empty(),
                fit.mismatch(new ServedModel(
                        "openai/ViT-B-32", "1", 512, 224, "bicubic", 224, "clip", "seqTransf", List.of("seqTransf"))));
    }

    @Test
    void shouldRefuseAnotherWidthNamingBothModels() {
        String reason = new ModelFit(List.of(OPENAI))
                .mismatch(model("openai/ViT-L-14", "3", 768, 224, "bicubic"))
                .orElseThrow();
        assertTrue(
                reason.contains("openai/ViT-B-32 1 (width 512") && reason.contains("openai/ViT-L-14 3 (width 768"),
                reason);
    }

    @Test
    void shouldRefuseTheSameVersionPreparedAnotherWayNamingBothPreparations() {
        ServedModel sameVersion = model("mmaction2/clip4clip", "1", 512, 256, "bilinear");
        String reason = new ModelFit(List.of(OPENAI)).mismatch(sameVersion).orElseThrow();
        assertTrue(reason.contains(OPENAI.describe()) && reason.contains(sameVersion.describe()), reason);
        assertTrue(reason.contains("short side 224 (bicubic)") && reason.contains("short side 256 (bilinear)"), reason);
    }

    @Test
    void shouldNoteAVersionNewToADeploymentThatHoldsOthers() {
        assertEquals(Optional.empty(), new ModelFit(List.of()).unindexedNote(OPENAI), "a new deployment");
        assertEquals(Optional.empty(), new ModelFit(List.of(OPENAI)).unindexedNote(OPENAI), "its own version");
        String note = new ModelFit(List.of(OPENAI)).unindexedNote(MMACTION).orElseThrow();
        assertTrue(note.contains("model version 2") && note.contains(OPENAI.describe()), note);
    }

    @Test
    void shouldRoundTripTheTopicRecord() {
        assertEquals(OPENAI, ServedModel.of(OPENAI.toRecord("index-service", 42L)));
        assertEquals("index-service", OPENAI.toRecord("index-service", 42L).getRecordedBy());
    }
}
