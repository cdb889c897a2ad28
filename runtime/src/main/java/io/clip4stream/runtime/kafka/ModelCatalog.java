package io.clip4stream.runtime.kafka;

import io.clip4stream.schemas.avro.ModelVersion;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The deployment's model versions as the {@code models} topic last recorded them (one record per version), read as a
 * model change: which version is active, which are being built or kept, which are retired, and where their weights
 * are. Pure: the topic is read by {@link ModelCatalogWatcher}.
 *
 * @param records the latest record of each version, in the order the versions were first recorded
 */
public record ModelCatalog(Map<String, ModelVersion> records) {

    /** An empty catalog: no version recorded yet. */
    public static final ModelCatalog EMPTY = new ModelCatalog(Map.of());

    /** Copies the records, keeping their order. */
    public ModelCatalog {
        records =
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(records, "records")));
    }

    /** The latest record of {@code version}. */
    public Optional<ModelVersion> record(String version) {
        return Optional.ofNullable(records.get(version));
    }

    /** The status of {@code version}; empty when it is unknown or was only recorded by a service serving it. */
    public Optional<ModelStatus> status(String version) {
        return record(version).flatMap(r -> ModelStatus.parse(r.getStatus()));
    }

    /**
     * The version activated last ({@code model activate}); empty when no version was ever activated, in which case
     * every service uses its configured model.
     */
    public Optional<String> active() {
        return records.values().stream()
                .filter(r -> ModelStatus.parse(r.getStatus()).orElse(null) == ModelStatus.ACTIVE)
                .max(Comparator.comparingLong(ModelVersion::getRecordedAtMillis))
                .map(r -> r.getModelVersion());
    }

    /** The versions with status {@code status}, in first-recorded order. */
    public List<String> withStatus(ModelStatus status) {
        List<String> versions = new ArrayList<>();
        records.forEach((version, r) -> {
            if (ModelStatus.parse(r.getStatus()).orElse(null) == status) {
                versions.add(version);
            }
        });
        return List.copyOf(versions);
    }

    /** The versions a deployment keeps vectors for: deployed, ready and active ones (not retired, not merely served). */
    public List<String> kept() {
        List<String> versions = new ArrayList<>();
        records.forEach((version, r) -> ModelStatus.parse(r.getStatus())
                .filter(status -> status != ModelStatus.RETIRED)
                .ifPresent(status -> versions.add(version)));
        return List.copyOf(versions);
    }

    /** Whether {@code version} was retired. */
    public boolean retired(String version) {
        return status(version).orElse(null) == ModelStatus.RETIRED;
    }

    /** Where the model directory of {@code version} is, when its record says. */
    public Optional<String> weightsLocation(String version) {
        return record(version).map(ModelVersion::getWeightsLocation).filter(Objects::nonNull);
    }

    /**
     * The version services encode with now: the active one, else the version a service recorded serving last (a
     * deployment that never changed models); empty for an empty catalog.
     */
    public Optional<String> current() {
        Optional<String> active = active();
        if (active.isPresent()) {
            return active;
        }
        return records.values().stream()
                .filter(r -> r.getStatus() == null)
                .max(Comparator.comparingLong(ModelVersion::getRecordedAtMillis))
                .map(r -> r.getModelVersion());
    }

    /**
     * Whether versions {@code a} and {@code b} share their CLIP visual encoder (so frame embeddings of one serve the
     * other); empty when either is unknown or has no recorded fingerprint.
     */
    public Optional<Boolean> sameVisualEncoder(String a, String b) {
        Optional<String> first =
                record(a).map(ModelVersion::getVisualFingerprint).filter(Objects::nonNull);
        Optional<String> second =
                record(b).map(ModelVersion::getVisualFingerprint).filter(Objects::nonNull);
        if (first.isEmpty() || second.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(first.get().equals(second.get()));
    }

    /**
     * The versions whose clips need frames encoded again from kept media: deployed versions whose CLIP visual encoder
     * differs from the {@link #current()} one's, in first-recorded order. A ready version is not among them: it was
     * active before the current one and holds its clips.
     */
    public List<String> needingReencode() {
        Optional<String> current = current();
        if (current.isEmpty()) {
            return List.of();
        }
        List<String> versions = new ArrayList<>();
        records.forEach((version, r) -> {
            ModelStatus status = ModelStatus.parse(r.getStatus()).orElse(null);
            if (status == ModelStatus.DEPLOYED
                    && sameVisualEncoder(version, current.get()).equals(Optional.of(false))) {
                versions.add(version);
            }
        });
        return List.copyOf(versions);
    }

    /** The recorded model of every version, in first-recorded order. */
    public List<ServedModel> models() {
        return records.values().stream().map(ServedModel::of).toList();
    }

    /** This catalog with {@code record} as its version's latest record. */
    public ModelCatalog with(ModelVersion record) {
        Map<String, ModelVersion> next = new LinkedHashMap<>(records);
        next.put(record.getModelVersion(), record);
        return new ModelCatalog(next);
    }

    /** This catalog without {@code version} (a tombstone on the topic). */
    public ModelCatalog without(String version) {
        Map<String, ModelVersion> next = new LinkedHashMap<>(records);
        next.remove(version);
        return new ModelCatalog(next);
    }
}
