package io.clip4stream.index.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.model.spec.Preprocessing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The models an index has stored vectors of (model id, version, embedding width, frame preprocessing), kept in a small
 * JSON file beside its state so that a service can refuse a model that does not fit what the store holds.
 *
 * <p>The clip records carry a model version but neither the width of the network nor how its frames were prepared,
 * so this file is the only record of them; an index whose state was restored from its changelog onto a fresh disk
 * has none, and then nothing can be compared.
 *
 * @param models one entry per model version, in the order they were first recorded
 */
public record IndexedModels(List<IndexedModel> models) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One model version as an index saw it.
     *
     * @param modelId the config's model id
     * @param modelVersion the config's model version, the key clips are stored under
     * @param embedDim the width D of its clip vectors
     * @param preprocessing how its frames are prepared
     */
    public record IndexedModel(String modelId, String modelVersion, int embedDim, Preprocessing preprocessing) {
        /** Validates the fields. */
        public IndexedModel {
            Objects.requireNonNull(modelId, "modelId");
            Objects.requireNonNull(modelVersion, "modelVersion");
            Objects.requireNonNull(preprocessing, "preprocessing");
            if (embedDim <= 0) {
                throw new IllegalArgumentException("embedding width must be positive, got " + embedDim);
            }
        }

        /** Returns e.g. {@code clip4clip-b32 1 (width 512, short side 224 (bicubic), centre crop 224, CLIP mean/std)}. */
        public String describe() {
            return modelId + " " + modelVersion + " (width " + embedDim + ", " + preprocessing.describe() + ")";
        }
    }

    /** Copies the list. */
    public IndexedModels {
        models = List.copyOf(models);
    }

    /** Reads {@code file}; none when it does not exist. */
    public static IndexedModels read(Path file) {
        if (!Files.exists(file)) {
            return new IndexedModels(List.of());
        }
        try {
            List<IndexedModel> models = new ArrayList<>();
            for (JsonNode node : JSON.readTree(file.toFile()).path("models")) {
                JsonNode prep = node.path("preprocessing");
                models.add(new IndexedModel(
                        node.path("model_id").asText(),
                        node.path("model_version").asText(),
                        node.path("embed_dim").asInt(),
                        new Preprocessing(
                                prep.path("resize_size").asInt(),
                                prep.path("interpolation").asText(),
                                prep.path("crop_size").asInt(),
                                prep.path("normalize").asText())));
            }
            return new IndexedModels(models);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the index's model record " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid model record " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the record to {@code file} through a temporary file, so a crash leaves the old or the new one. */
    public void write(Path file) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("models");
        for (IndexedModel model : models) {
            ObjectNode node = list.addObject();
            node.put("model_id", model.modelId());
            node.put("model_version", model.modelVersion());
            node.put("embed_dim", model.embedDim());
            ObjectNode prep = node.putObject("preprocessing");
            prep.put("resize_size", model.preprocessing().resizeSize());
            prep.put("interpolation", model.preprocessing().interpolation());
            prep.put("crop_size", model.preprocessing().cropSize());
            prep.put("normalize", model.preprocessing().normalize());
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            JSON.writerWithDefaultPrettyPrinter().writeValue(partial.toFile(), root);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the index's model record " + file, e);
        }
    }

    /** Returns the record of {@code modelVersion}, if any. */
    public Optional<IndexedModel> version(String modelVersion) {
        return models.stream()
                .filter(m -> m.modelVersion().equals(modelVersion))
                .findFirst();
    }

    /**
     * Returns why {@code loaded} must not serve this index, if it must not: its version is recorded with another width
     * or preprocessing (vectors under one version must be comparable), or its width differs from any recorded model's
     * (one vector field holds one width). Both models are named. A new version with other preprocessing is allowed:
     * that is how an index moves to another model.
     */
    public Optional<String> mismatch(IndexedModel loaded) {
        Objects.requireNonNull(loaded, "loaded");
        Optional<IndexedModel> sameVersion = version(loaded.modelVersion());
        if (sameVersion.isPresent() && !sameFrames(sameVersion.get(), loaded)) {
            return Optional.of(
                    "the index holds vectors of model " + sameVersion.get().describe()
                            + ", but the loaded model of the same version is " + loaded.describe()
                            + "; vectors under one version must come from one model (give the new one another model_version)");
        }
        for (IndexedModel recorded : models) {
            if (recorded.embedDim() != loaded.embedDim()) {
                return Optional.of("the index holds vectors of model " + recorded.describe()
                        + ", but the loaded model is " + loaded.describe()
                        + "; one index holds one embedding width (use a new state directory and application id)");
            }
        }
        return Optional.empty();
    }

    private static boolean sameFrames(IndexedModel recorded, IndexedModel loaded) {
        return recorded.embedDim() == loaded.embedDim()
                && recorded.preprocessing().equals(loaded.preprocessing());
    }

    /** Returns a copy in which {@code model} is the record of its version. */
    public IndexedModels with(IndexedModel model) {
        List<IndexedModel> updated = new ArrayList<>();
        boolean replaced = false;
        for (IndexedModel existing : models) {
            if (existing.modelVersion().equals(model.modelVersion())) {
                updated.add(model);
                replaced = true;
            } else {
                updated.add(existing);
            }
        }
        if (!replaced) {
            updated.add(model);
        }
        return new IndexedModels(updated);
    }
}
