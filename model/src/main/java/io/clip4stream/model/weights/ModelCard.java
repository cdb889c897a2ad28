package io.clip4stream.model.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.SimilarityHead;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a model directory says about its model beyond the network: what it knows ({@code knows}: the data it was trained
 * on, such as {@code synthetic-world}), which heads were trained ({@code trained_heads}), and queries that show it
 * working ({@code example_queries}), and how its re-ranker combines with the first stage ({@code rerank.first_stage_weight}).
 * Every field is optional in config.json.
 *
 * @param knows the data the model knows, when recorded
 * @param trainedHeads the heads that were trained (empty: not recorded)
 * @param exampleQueries queries a user can try
 * @param rerankFirstStageWeight the weight of the first stage's score (a cosine) added to the tight head's logit when
 *     re-ranking, when recorded; without it the tight logit alone orders the candidates
 */
public record ModelCard(
        Optional<String> knows,
        List<String> trainedHeads,
        List<String> exampleQueries,
        OptionalDouble rerankFirstStageWeight,
        Optional<String> frameEncoding) {

    /** The config.json field naming the frame-embedding encoding of this model version's clips. */
    public static final String FRAME_ENCODING_FIELD = "frame_encoding";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Copies the lists and checks the weight. */
    public ModelCard {
        trainedHeads = List.copyOf(trainedHeads);
        exampleQueries = List.copyOf(exampleQueries);
        Objects.requireNonNull(rerankFirstStageWeight, "rerankFirstStageWeight");
        Objects.requireNonNull(frameEncoding, "frameEncoding");
        if (rerankFirstStageWeight.isPresent()
                && !(rerankFirstStageWeight.getAsDouble() >= 0
                        && Double.isFinite(rerankFirstStageWeight.getAsDouble()))) {
            throw new IllegalArgumentException("rerank.first_stage_weight must be a finite number >= 0; was "
                    + rerankFirstStageWeight.getAsDouble());
        }
    }

    /**
     * The scores that order re-ranked candidates: each tight logit plus the recorded first-stage weight times that
     * candidate's first-stage score, or the tight logits unchanged when no weight is recorded.
     *
     * @param tight the tight head's logits, one per candidate
     * @param firstStage the first stage's scores (cosines) of the same candidates
     */
    public float[] rerankScores(float[] tight, float[] firstStage) {
        if (tight.length != firstStage.length) {
            throw new IllegalArgumentException(
                    tight.length + " tight scores but " + firstStage.length + " first-stage scores");
        }
        if (rerankFirstStageWeight.isEmpty()) {
            return tight.clone();
        }
        return fuse(tight, firstStage, rerankFirstStageWeight.getAsDouble());
    }

    /** Returns {@code tight + weight * firstStage}, element by element: the fusion {@link #rerankScores} applies. */
    public static float[] fuse(float[] tight, float[] firstStage, double weight) {
        float[] out = new float[tight.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (tight[i] + weight * firstStage[i]);
        }
        return out;
    }

    /** A card without a frame encoding (float32 frames). */
    public ModelCard(
            Optional<String> knows,
            List<String> trainedHeads,
            List<String> exampleQueries,
            OptionalDouble rerankFirstStageWeight) {
        this(knows, trainedHeads, exampleQueries, rerankFirstStageWeight, Optional.empty());
    }

    /** Returns a card that records nothing. */
    public static ModelCard empty() {
        return new ModelCard(Optional.empty(), List.of(), List.of(), OptionalDouble.empty());
    }

    /** Reads the card of the model directory {@code root} (its config.json). */
    public static ModelCard read(Path root) {
        Path config = root.resolve(ModelDirectory.CONFIG_FILE);
        if (!Files.isRegularFile(config)) {
            return empty();
        }
        try {
            String text = Files.readString(config);
            JsonNode json = JSON.readTree(text);
            Optional<String> knows =
                    json.hasNonNull("knows") ? Optional.of(json.get("knows").asText()) : Optional.empty();
            // trained_heads has one reader, ModelConfig; the card only lists what it recorded.
            List<String> trained = ModelConfig.fromJson(text)
                    .trainedHeads()
                    .map(heads -> heads.stream()
                            .map(SimilarityHead::configName)
                            .sorted()
                            .toList())
                    .orElse(List.of());
            JsonNode weight = json.path("rerank").path("first_stage_weight");
            if (!weight.isMissingNode() && !weight.isNull() && !weight.isNumber()) {
                throw new IllegalArgumentException(
                        config + ": rerank.first_stage_weight must be a number; was " + weight);
            }
            JsonNode encoding = json.path(FRAME_ENCODING_FIELD);
            if (!encoding.isMissingNode() && !encoding.isNull() && !encoding.isTextual()) {
                throw new IllegalArgumentException(
                        config + ": " + FRAME_ENCODING_FIELD + " must be a string; was " + encoding);
            }
            return new ModelCard(
                    knows,
                    trained,
                    texts(json.path("example_queries")),
                    weight.isNumber() ? OptionalDouble.of(weight.asDouble()) : OptionalDouble.empty(),
                    encoding.isTextual() ? Optional.of(encoding.asText()) : Optional.empty());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + config, e);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(node -> out.add(node.asText()));
        return out;
    }
}
