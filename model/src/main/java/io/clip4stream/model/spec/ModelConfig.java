package io.clip4stream.model.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The run-time settings of a model directory ({@code config.json}); field names follow CLIP4Clip's command line.
 *
 * <p>Example: {@code {"model_id": "clip4clip-msrvtt-meanp", "model_version": "1", "sim_header": "meanP",
 * "linear_patch": "2d", "max_frames": 12, "max_words": 32, "cross_num_hidden_layers": 4}}; an optional
 * {@code "bpe_vocab"} names a vocabulary file inside the directory.
 *
 * @param modelId a stable identifier of the weights, recorded next to every embedding
 * @param modelVersion the version of those weights
 * @param simHeader the similarity head ({@code sim_header})
 * @param linearPatch the patch embedding ({@code linear_patch})
 * @param maxFrames frames per clip T ({@code max_frames})
 * @param maxWords caption length L ({@code max_words})
 * @param crossNumHiddenLayers layers of {@code transformerClip} and {@code cross.transformer}
 * @param bpeVocab the BPE vocabulary file name inside the model directory, when it is not the bundled one
 */
public record ModelConfig(
        String modelId,
        String modelVersion,
        SimilarityHead simHeader,
        LinearPatch linearPatch,
        int maxFrames,
        int maxWords,
        int crossNumHiddenLayers,
        Optional<String> bpeVocab) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Validates the settings. */
    public ModelConfig {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(simHeader, "simHeader");
        Objects.requireNonNull(linearPatch, "linearPatch");
        Objects.requireNonNull(bpeVocab, "bpeVocab");
        if (modelId.isBlank() || maxFrames <= 0 || maxWords < 2 || crossNumHiddenLayers < 0) {
            throw new IllegalArgumentException("invalid model config: model_id '" + modelId + "', max_frames "
                    + maxFrames + ", max_words " + maxWords + ", cross_num_hidden_layers " + crossNumHiddenLayers);
        }
    }

    /** Parses config.json text; every missing or malformed field is reported in one exception. */
    public static ModelConfig fromJson(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("config.json must hold a JSON object");
        }
        List<String> problems = new ArrayList<>();
        String modelId = text(root, "model_id", problems);
        String modelVersion = text(root, "model_version", problems);
        String simHeader = text(root, "sim_header", problems);
        String linearPatch = root.has("linear_patch") ? text(root, "linear_patch", problems) : "2d";
        int maxFrames = integer(root, "max_frames", problems);
        int maxWords = integer(root, "max_words", problems);
        int crossLayers = integer(root, "cross_num_hidden_layers", problems);
        Optional<String> vocab =
                root.hasNonNull("bpe_vocab") ? Optional.of(text(root, "bpe_vocab", problems)) : Optional.empty();
        SimilarityHead head = null;
        LinearPatch patch = null;
        try {
            head = SimilarityHead.fromConfigName(simHeader);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        try {
            patch = LinearPatch.fromConfigName(linearPatch);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid config.json: " + String.join("; ", problems));
        }
        return new ModelConfig(modelId, modelVersion, head, patch, maxFrames, maxWords, crossLayers, vocab);
    }

    /** Renders this config as pretty-printed config.json text. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("model_id", modelId);
        root.put("model_version", modelVersion);
        root.put("sim_header", simHeader.configName());
        root.put("linear_patch", linearPatch.configName());
        root.put("max_frames", maxFrames);
        root.put("max_words", maxWords);
        root.put("cross_num_hidden_layers", crossNumHiddenLayers);
        bpeVocab.ifPresent(name -> root.put("bpe_vocab", name));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render config.json for " + modelId, e);
        }
    }

    private static String text(JsonNode root, String field, List<String> problems) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual()) {
            problems.add("'" + field + "' must be a string");
            return "";
        }
        return node.asText();
    }

    private static int integer(JsonNode root, String field, List<String> problems) {
        JsonNode node = root.get(field);
        if (node == null || !node.canConvertToInt() || !node.isIntegralNumber()) {
            problems.add("'" + field + "' must be an integer");
            return 0;
        }
        return node.asInt();
    }
}
