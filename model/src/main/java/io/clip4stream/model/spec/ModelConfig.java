package io.clip4stream.model.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The run-time settings of a model directory ({@code config.json}); field names follow CLIP4Clip's command line.
 *
 * <p>Example: {@code {"model_id": "clip4clip-msrvtt-meanp", "model_version": "1", "sim_header": "meanP",
 * "linear_patch": "2d", "max_frames": 12, "max_words": 32, "cross_num_hidden_layers": 4}}; an optional
 * {@code "bpe_vocab"} names a vocabulary file inside the directory; an optional {@code "preprocessing"} object records how
 * frames were prepared in training ({@link Preprocessing}); an optional {@code "trained_heads"} list names the heads
 * whose weights were trained (absent in directories written before it existed: then every head present counts).
 *
 * @param modelId a stable identifier of the weights, recorded next to every embedding
 * @param modelVersion the version of those weights
 * @param simHeader the similarity head ({@code sim_header})
 * @param linearPatch the patch embedding ({@code linear_patch})
 * @param maxFrames frames per clip T ({@code max_frames})
 * @param maxWords caption length L ({@code max_words})
 * @param crossNumHiddenLayers layers of {@code transformerClip} and {@code cross.transformer}
 * @param bpeVocab the BPE vocabulary file name inside the model directory, when it is not the bundled one
 * @param preprocessing the frame preparation the weights were trained with, when config.json records it
 * @param trainedHeads the heads whose weights were trained, when config.json records it
 */
public record ModelConfig(
        String modelId,
        String modelVersion,
        SimilarityHead simHeader,
        LinearPatch linearPatch,
        int maxFrames,
        int maxWords,
        int crossNumHiddenLayers,
        Optional<String> bpeVocab,
        Optional<Preprocessing> preprocessing,
        Optional<Set<SimilarityHead>> trainedHeads) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Validates the settings. */
    public ModelConfig {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(simHeader, "simHeader");
        Objects.requireNonNull(linearPatch, "linearPatch");
        Objects.requireNonNull(bpeVocab, "bpeVocab");
        Objects.requireNonNull(preprocessing, "preprocessing");
        trainedHeads = Objects.requireNonNull(trainedHeads, "trainedHeads")
                .map(heads -> heads.isEmpty()
                        ? Collections.unmodifiableSet(EnumSet.noneOf(SimilarityHead.class))
                        : Collections.unmodifiableSet(EnumSet.copyOf(heads)));
        if (modelId.isBlank() || maxFrames <= 0 || maxWords < 2 || crossNumHiddenLayers < 0) {
            throw new IllegalArgumentException("invalid model config: model_id '" + modelId + "', max_frames "
                    + maxFrames + ", max_words " + maxWords + ", cross_num_hidden_layers " + crossNumHiddenLayers);
        }
    }

    /** A config that records neither preprocessing nor trained heads (the defaults apply). */
    public ModelConfig(
            String modelId,
            String modelVersion,
            SimilarityHead simHeader,
            LinearPatch linearPatch,
            int maxFrames,
            int maxWords,
            int crossNumHiddenLayers,
            Optional<String> bpeVocab) {
        this(
                modelId,
                modelVersion,
                simHeader,
                linearPatch,
                maxFrames,
                maxWords,
                crossNumHiddenLayers,
                bpeVocab,
                Optional.empty(),
                Optional.empty());
    }

    /** Returns a copy with another head, keeping everything else (preprocessing and trained heads included). */
    public ModelConfig withSimHeader(SimilarityHead head) {
        return new ModelConfig(
                modelId,
                modelVersion,
                head,
                linearPatch,
                maxFrames,
                maxWords,
                crossNumHiddenLayers,
                bpeVocab,
                preprocessing,
                trainedHeads);
    }

    /** Returns a copy recording {@code heads} as the trained ones. */
    public ModelConfig withTrainedHeads(Set<SimilarityHead> heads) {
        return new ModelConfig(
                modelId,
                modelVersion,
                simHeader,
                linearPatch,
                maxFrames,
                maxWords,
                crossNumHiddenLayers,
                bpeVocab,
                preprocessing,
                Optional.of(heads));
    }

    /**
     * Returns whether {@code head}'s weights were trained: meanP has none and always counts; a directory that does not
     * record its trained heads counts every head.
     */
    public boolean isTrained(SimilarityHead head) {
        return head == SimilarityHead.MEAN_P
                || trainedHeads.map(heads -> heads.contains(head)).orElse(true);
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
        Optional<Preprocessing> preprocessing = Optional.empty();
        JsonNode prep = root.get("preprocessing");
        if (prep != null && !prep.isNull()) {
            if (prep.has("resize") && !"short_side".equals(prep.get("resize").asText())) {
                problems.add("preprocessing.resize must be short_side, got " + prep.get("resize"));
            }
            try {
                preprocessing = Optional.of(new Preprocessing(
                        integer(prep, "resize_size", problems),
                        prep.has("interpolation") ? text(prep, "interpolation", problems) : "bicubic",
                        integer(prep, "crop_size", problems),
                        prep.has("normalize") ? text(prep, "normalize", problems) : "clip"));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        Optional<Set<SimilarityHead>> trained = Optional.empty();
        JsonNode heads = root.get("trained_heads");
        if (heads != null && !heads.isNull()) {
            Set<SimilarityHead> names = EnumSet.noneOf(SimilarityHead.class);
            if (!heads.isArray()) {
                problems.add("'trained_heads' must be a list of head names");
            }
            for (JsonNode name : heads) {
                try {
                    names.add(SimilarityHead.fromConfigName(name.asText()));
                } catch (IllegalArgumentException e) {
                    problems.add("trained_heads: " + e.getMessage());
                }
            }
            trained = Optional.of(names);
        }
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
        return new ModelConfig(
                modelId, modelVersion, head, patch, maxFrames, maxWords, crossLayers, vocab, preprocessing, trained);
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
        preprocessing.ifPresent(prep -> root.putObject("preprocessing")
                .put("resize", "short_side")
                .put("resize_size", prep.resizeSize())
                .put("interpolation", prep.interpolation())
                .put("crop_size", prep.cropSize())
                .put("normalize", prep.normalize()));
        trainedHeads.ifPresent(heads -> {
            var list = root.putArray("trained_heads");
            heads.forEach(h -> list.add(h.configName()));
        });
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
