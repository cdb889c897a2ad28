package io.clip4stream.model.weights;

import io.clip4stream.model.spec.ModelConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A model directory on disk: {@code config.json}, {@code weights.safetensors} (optionally more shards named
 * {@code weights-*.safetensors}) and, optionally, the BPE vocabulary named by the config.
 *
 * @param root the directory
 * @param config the parsed config.json
 * @param weightFiles the safetensors files, {@code weights.safetensors} first, then the shards in name order
 * @param bpeVocab the vocabulary file when config.json names one (otherwise the bundled CLIP vocabulary applies)
 */
public record ModelDirectory(Path root, ModelConfig config, List<Path> weightFiles, Optional<Path> bpeVocab) {

    /** Name of the configuration file. */
    public static final String CONFIG_FILE = "config.json";

    /** Name of the main weights file. */
    public static final String WEIGHTS_FILE = "weights.safetensors";

    /** Copies the file list. */
    public ModelDirectory {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(config, "config");
        weightFiles = List.copyOf(weightFiles);
        Objects.requireNonNull(bpeVocab, "bpeVocab");
    }

    /** Reads config.json and locates the weight files of the model directory {@code root}. */
    public static ModelDirectory open(Path root) {
        Path configFile = root.resolve(CONFIG_FILE);
        String json;
        try {
            json = Files.readString(configFile, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("model directory " + root + " has no " + CONFIG_FILE, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + configFile, e);
        }
        ModelConfig config;
        try {
            config = ModelConfig.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(configFile + ": " + e.getMessage(), e);
        }
        Path weights = root.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            throw new UncheckedIOException(
                    new NoSuchFileException(weights.toString(), null, "model directory " + root + " has no weights"));
        }
        List<Path> files = new ArrayList<>();
        files.add(weights);
        try (Stream<Path> shards = Files.list(root)) {
            shards.filter(path -> {
                        String name = path.getFileName().toString();
                        return name.startsWith("weights-") && name.endsWith(".safetensors");
                    })
                    .sorted()
                    .forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list model directory " + root, e);
        }
        Optional<Path> vocab = config.bpeVocab().map(root::resolve);
        if (vocab.isPresent() && !Files.isRegularFile(vocab.get())) {
            throw new UncheckedIOException(new NoSuchFileException(
                    vocab.get().toString(), null, "bpe_vocab named in " + configFile + " does not exist"));
        }
        return new ModelDirectory(root, config, files, vocab);
    }

    /** Writes a model directory: config.json and a single weights.safetensors holding {@code tensors}. */
    public static ModelDirectory write(Path root, ModelConfig config, Map<String, TensorData> tensors)
            throws IOException {
        Files.createDirectories(root);
        Files.writeString(root.resolve(CONFIG_FILE), config.toJson(), StandardCharsets.UTF_8);
        new SafetensorsWriter()
                .write(
                        root.resolve(WEIGHTS_FILE),
                        tensors,
                        Map.of("format", "clip4stream-model", "model_id", config.modelId()));
        return open(root);
    }

    /** Opens the weight files as one checkpoint. */
    public Checkpoint openCheckpoint() throws IOException {
        return Checkpoint.open(weightFiles);
    }
}
