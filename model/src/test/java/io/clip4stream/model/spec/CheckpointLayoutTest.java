package io.clip4stream.model.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.weights.SafetensorsFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckpointLayoutTest {

    private static Map<String, long[]> fixtureShapes() throws IOException, URISyntaxException {
        Path weights = Path.of(CheckpointLayoutTest.class
                .getResource("/parity/model-tiny-2d/weights.safetensors")
                .toURI());
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            for (String name : file.names()) {
                shapes.put(name, file.info(name).shape());
            }
        }
        return shapes;
    }

    private static ModelConfig config(SimilarityHead head, LinearPatch patch) {
        return new ModelConfig("tiny", "1", head, patch, 6, 16, 2, Optional.empty());
    }

    @Test
    void derivesTheFixtureHyperParametersFromTensorShapes() throws Exception {
        ModelSpec spec = CheckpointLayout.derive(
                "fixture", fixtureShapes(), Set.of(), config(SimilarityHead.SEQ_TRANSF, LinearPatch.TWO_D));

        assertEquals(new TransformerSpec(64, 2, 1, 1e-5f), spec.vision().transformer());
        assertEquals(16, spec.vision().patchSize());
        assertEquals(4, spec.vision().grid());
        assertEquals(64, spec.vision().imageSize());
        assertEquals(17, spec.vision().tokens());
        assertEquals(new TransformerSpec(64, 2, 1, 1e-5f), spec.text().transformer());
        assertEquals(1000, spec.text().vocabSize());
        assertEquals(77, spec.text().contextLength());
        assertEquals(64, spec.embedDim());
        assertEquals(EnumSet.allOf(SimilarityHead.class), spec.heads().available());
        assertEquals(
                new TransformerSpec(64, 2, 1, 1e-12f),
                spec.heads().seqTransf().orElseThrow().transformer());
        assertEquals(
                new TransformerSpec(64, 2, 1, 1e-12f),
                spec.heads().tightTransf().orElseThrow().transformer());
    }

    @Test
    void reportsEveryMissingMisShapedAndUnknownTensorInOneException() throws Exception {
        Map<String, long[]> shapes = fixtureShapes();
        shapes.remove("clip.visual.ln_post.bias");
        shapes.remove("transformerClip.resblocks.1.mlp.c_fc.weight");
        shapes.put("clip.transformer.resblocks.0.attn.in_proj_weight", new long[] {64, 64});
        shapes.put("clip.visual.not_a_parameter", new long[] {3});

        InvalidCheckpointException error = assertThrows(
                InvalidCheckpointException.class,
                () -> CheckpointLayout.derive(
                        "broken.safetensors", shapes, Set.of(), config(SimilarityHead.SEQ_TRANSF, LinearPatch.TWO_D)));

        assertEquals(
                List.of(
                        "missing tensor clip.visual.ln_post.bias, expected shape [64]",
                        "tensor clip.transformer.resblocks.0.attn.in_proj_weight has shape [64, 64] but expected"
                                + " [192, 64]",
                        "missing tensor transformerClip.resblocks.1.mlp.c_fc.weight, expected shape [256, 64]",
                        "unexpected tensor clip.visual.not_a_parameter [3] (not a CLIP4Clip parameter for this shape"
                                + " and cross_num_hidden_layers 2)"),
                error.problems());
        assertTrue(error.getMessage().startsWith("checkpoint broken.safetensors does not fit"), error.getMessage());
        assertTrue(error.getMessage().contains("(4 problems)"), error.getMessage());
    }

    @Test
    void anotherHeadsIncompleteTensorsAreAllowedButMakeThatHeadUnavailable() throws Exception {
        Map<String, long[]> shapes = fixtureShapes();
        shapes.remove("similarity_dense.bias");
        shapes.remove("lstm_visual.bias_hh_l0");

        ModelSpec spec =
                CheckpointLayout.derive("partial", shapes, Set.of(), config(SimilarityHead.MEAN_P, LinearPatch.TWO_D));

        assertEquals(
                EnumSet.of(SimilarityHead.MEAN_P, SimilarityHead.SEQ_TRANSF),
                spec.heads().available());
        assertFalse(spec.heads().has(SimilarityHead.TIGHT_TRANSF));
    }

    @Test
    void theConfiguredHeadsTensorsAreRequired() throws Exception {
        Map<String, long[]> shapes = fixtureShapes();
        shapes.remove("similarity_dense.bias");

        InvalidCheckpointException error = assertThrows(
                InvalidCheckpointException.class,
                () -> CheckpointLayout.derive(
                        "tight", shapes, Set.of(), config(SimilarityHead.TIGHT_TRANSF, LinearPatch.TWO_D)));

        assertEquals(List.of("missing tensor similarity_dense.bias, expected shape [1]"), error.problems());
    }

    @Test
    void theThreeDPatchRequiresConv2AndExtraLayersAreUnknown() throws Exception {
        Map<String, long[]> shapes = fixtureShapes();

        InvalidCheckpointException error = assertThrows(
                InvalidCheckpointException.class,
                () -> CheckpointLayout.derive(
                        "3d",
                        shapes,
                        Set.of("clip.logit_scale"),
                        new ModelConfig(
                                "tiny", "1", SimilarityHead.MEAN_P, LinearPatch.THREE_D, 6, 16, 1, Optional.empty())));

        List<String> problems = error.problems();
        assertEquals("tensor clip.logit_scale has a non-floating-point dtype", problems.get(0));
        assertTrue(problems.contains("missing tensor clip.visual.conv2.weight, expected shape [64, 3, 3, 16, 16]"));
        // With one cross layer configured, every block-1 tensor of transformerClip and cross.transformer is unknown.
        assertEquals(
                24,
                problems.stream()
                        .filter(p -> p.startsWith("unexpected tensor ") && p.contains("resblocks.1."))
                        .count());
    }

    @Test
    void missingAnchorTensorsAreNamedWithWhatTheyDetermine() {
        InvalidCheckpointException error = assertThrows(
                InvalidCheckpointException.class,
                () -> CheckpointLayout.derive(
                        "empty", Map.of(), Set.of(), config(SimilarityHead.MEAN_P, LinearPatch.TWO_D)));

        assertEquals(7, error.problems().size());
        assertEquals(
                "missing tensor clip.visual.conv1.weight (it determines the vision width and patch size)",
                error.problems().get(0));
    }

    @Test
    void configRoundTripsThroughJson() {
        ModelConfig config = new ModelConfig(
                "clip4clip-msrvtt",
                "3",
                SimilarityHead.TIGHT_TRANSF,
                LinearPatch.THREE_D,
                12,
                32,
                4,
                Optional.of("vocab.txt.gz"));

        assertEquals(config, ModelConfig.fromJson(config.toJson()));
    }

    @Test
    void malformedConfigListsEveryBadField() {
        IllegalArgumentException error = assertThrows(
                IllegalArgumentException.class,
                () -> ModelConfig.fromJson("{\"model_id\": \"x\", \"sim_header\": \"maxP\", \"max_frames\": \"12\"}"));

        assertTrue(error.getMessage().contains("'model_version' must be a string"), error.getMessage());
        assertTrue(error.getMessage().contains("'max_frames' must be an integer"), error.getMessage());
        assertTrue(error.getMessage().contains("unknown sim_header 'maxP'"), error.getMessage());
    }
}
