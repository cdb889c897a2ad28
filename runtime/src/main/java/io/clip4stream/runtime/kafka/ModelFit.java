package io.clip4stream.runtime.kafka;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a service may serve its model beside the model versions already recorded for the deployment: the
 * rule that keeps every vector under one version comparable, and every vector in one index of one width.
 *
 * @param recorded the versions the models topic holds
 */
public record ModelFit(List<ServedModel> recorded) {

    /** Copies the list. */
    public ModelFit {
        recorded = List.copyOf(recorded);
    }

    /** Returns the record of {@code modelVersion}, if any. */
    public Optional<ServedModel> version(String modelVersion) {
        return recorded.stream()
                .filter(m -> m.modelVersion().equals(modelVersion))
                .findFirst();
    }

    /**
     * Returns why {@code loaded} must not be served, naming both models: its version is recorded with another width or
     * frame preparation (vectors under one version must come from one model), or its width differs from a recorded
     * model's (one index holds one width). A new version with other preprocessing is allowed: that is how a deployment
     * moves to another model.
     */
    public Optional<String> mismatch(ServedModel loaded) {
        Objects.requireNonNull(loaded, "loaded");
        Optional<ServedModel> sameVersion = version(loaded.modelVersion());
        if (sameVersion.isPresent() && !sameVersion.get().sameFramesAs(loaded)) {
            return Optional.of(
                    "the deployment holds vectors of model " + sameVersion.get().describe()
                            + ", but the loaded model of the same version is " + loaded.describe()
                            + "; vectors under one version must come from one model (give the new one another model_version)");
        }
        for (ServedModel other : recorded) {
            if (other.embedDim() != loaded.embedDim()) {
                return Optional.of("the deployment holds vectors of model " + other.describe()
                        + ", but the loaded model is " + loaded.describe()
                        + "; one index holds one embedding width (use a new topic prefix and state directory)");
            }
        }
        return Optional.empty();
    }

    /**
     * Returns a note for a deployment whose recorded versions do not include {@code loaded}'s although others are
     * recorded: its searches will find nothing until clips are indexed under it.
     */
    public Optional<String> unindexedNote(ServedModel loaded) {
        if (recorded.isEmpty() || version(loaded.modelVersion()).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("model version " + loaded.modelVersion() + " (" + loaded.modelId()
                + ") is new to this deployment, which holds vectors of "
                + String.join(", ", recorded.stream().map(ServedModel::describe).toList())
                + "; clips ingested before now are searchable only under those versions");
    }
}
