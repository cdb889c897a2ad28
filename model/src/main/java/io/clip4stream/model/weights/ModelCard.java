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
import java.util.Optional;

/**
 * What a model directory says about its model beyond the network: what it knows ({@code knows}: the data it was trained
 * on, such as {@code synthetic-world}), which heads were trained ({@code trained_heads}), and queries that show it
 * working ({@code example_queries}). Every field is optional in config.json.
 *
 * @param knows the data the model knows, when recorded
 * @param trainedHeads the heads that were trained (empty: not recorded)
 * @param exampleQueries queries a user can try
 */
public record ModelCard(Optional<String> knows, List<String> trainedHeads, List<String> exampleQueries) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Copies the lists. */
    public ModelCard {
        trainedHeads = List.copyOf(trainedHeads);
        exampleQueries = List.copyOf(exampleQueries);
    }

    /** Returns a card that records nothing. */
    public static ModelCard empty() {
        return new ModelCard(Optional.empty(), List.of(), List.of());
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
            return new ModelCard(knows, trained, texts(json.path("example_queries")));
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
