package io.clip4stream.index.rebuild;

import io.clip4stream.index.aggregate.ClipAggregator;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.runtime.kafka.ModelStatus;
import io.clip4stream.schemas.avro.ModelVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions this index instance keeps vectors for: its own model, plus every version a model change deployed
 * that shares its CLIP visual encoder (so the frame embeddings the shards retain serve it) and whose weights it can
 * load, plus every deployed version of another visual encoder, whose clips arrive as frames encoded again from kept
 * media (see {@link Snapshot#reencoded()}). Updated from the {@code models} topic on the catalog watcher's thread; read by the stream tasks through
 * immutable {@link Snapshot}s.
 */
public final class IndexModels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IndexModels.class);

    /** Loads the model directory a deployed version's record names. */
    @FunctionalInterface
    public interface ModelLoader {
        /** Loads the model at {@code location}; the caller owns it. */
        Clip4ClipModel load(String location);
    }

    /**
     * What the stream tasks index under, as of one catalog.
     *
     * @param targets the versions to keep vectors for, the instance's own first
     * @param sameEncoder every version known to share the instance's visual encoder (retired ones included): their
     *     stored frame embeddings serve every target
     * @param retired versions whose vectors are dropped
     * @param unbuildable deployed versions this instance cannot build, each with the reason
     * @param activated the version {@code model activate} made active, if any
     * @param reencoded kept versions of another CLIP visual encoder, each with its head: their clips come from frames
     *     encoded again from kept media (or, once active, from live frames), never from the frames stored here
     */
    public record Snapshot(
            List<VersionTarget> targets,
            Set<String> sameEncoder,
            Set<String> retired,
            Map<String, String> unbuildable,
            Optional<String> activated,
            Map<String, VersionTarget> reencoded) {

        /** Copies the collections. */
        public Snapshot {
            targets = List.copyOf(targets);
            sameEncoder = Set.copyOf(sameEncoder);
            retired = Set.copyOf(retired);
            unbuildable = Map.copyOf(unbuildable);
            Objects.requireNonNull(activated, "activated");
            reencoded = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(reencoded));
        }

        /** A snapshot with no version of another visual encoder. */
        public Snapshot(
                List<VersionTarget> targets,
                Set<String> sameEncoder,
                Set<String> retired,
                Map<String, String> unbuildable,
                Optional<String> activated) {
            this(targets, sameEncoder, retired, unbuildable, activated, Map.of());
        }

        /**
         * The versions a clip whose frames were embedded under {@code framesVersion} is indexed under: every target
         * when those frames serve them all, otherwise the frames' own version made with {@code fallback} (a version
         * this instance knows nothing about: today's behaviour), or none when that version is retired.
         */
        public List<VersionTarget> indexUnder(String framesVersion, ClipAggregator fallback) {
            VersionTarget other = reencoded.get(framesVersion);
            if (other != null) {
                // Live frames of a version of another encoder (activated): its own head, and only its own vectors.
                return List.of(other);
            }
            if (sameEncoder.contains(framesVersion)) {
                List<VersionTarget> ordered = new ArrayList<>(targets);
                // The frames' own version first: it is the one the clip-vectors topic carries.
                ordered.sort((a, b) -> Boolean.compare(
                        !a.version().equals(framesVersion), !b.version().equals(framesVersion)));
                return List.copyOf(ordered);
            }
            if (retired.contains(framesVersion)) {
                return List.of();
            }
            return List.of(new VersionTarget(framesVersion, fallback));
        }
    }

    private final VersionTarget own;
    private final String ownFingerprint;
    private final ModelLoader loader;
    private final Map<String, Clip4ClipModel> loaded = new HashMap<>();
    private final List<Clip4ClipModel> dropped = new ArrayList<>();
    private volatile Snapshot snapshot;

    /**
     * The versions of an instance serving {@code own} (whose CLIP visual encoder has {@code ownFingerprint}, null when
     * unknown: then no other version can be built from its frames), loading deployed versions with {@code loader}.
     */
    public IndexModels(VersionTarget own, String ownFingerprint, ModelLoader loader) {
        this.own = Objects.requireNonNull(own, "own");
        this.ownFingerprint = ownFingerprint;
        this.loader = Objects.requireNonNull(loader, "loader");
        this.snapshot = new Snapshot(List.of(own), Set.of(own.version()), Set.of(), Map.of(), Optional.empty());
    }

    /** The versions of an instance that only ever serves {@code aggregator}'s model (no model changes). */
    public static IndexModels only(ClipAggregator aggregator) {
        return new IndexModels(new VersionTarget(aggregator.modelVersion(), aggregator), null, location -> {
            throw new IllegalStateException("this index serves only model version " + aggregator.modelVersion());
        });
    }

    /** The current snapshot. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /** The instance's own version and head. */
    public VersionTarget own() {
        return own;
    }

    /**
     * Reads {@code catalog}: loads the deployed versions this instance can build (once each), drops retired ones, and
     * publishes a new snapshot.
     */
    public synchronized void update(ModelCatalog catalog) {
        Set<String> sameEncoder = new LinkedHashSet<>();
        sameEncoder.add(own.version());
        if (ownFingerprint != null) {
            catalog.records().forEach((version, record) -> {
                if (ownFingerprint.equals(record.getVisualFingerprint())) {
                    sameEncoder.add(version);
                }
            });
        }
        Set<String> retired = new LinkedHashSet<>(catalog.withStatus(ModelStatus.RETIRED));
        List<VersionTarget> targets = new ArrayList<>();
        if (!retired.contains(own.version())) {
            targets.add(own);
        }
        Map<String, String> unbuildable = new LinkedHashMap<>();
        Map<String, VersionTarget> reencoded = new LinkedHashMap<>();
        for (String version : catalog.kept()) {
            if (version.equals(own.version())) {
                continue;
            }
            ModelVersion record = catalog.record(version).orElseThrow();
            boolean otherEncoder = otherEncoder(record);
            Optional<String> why = otherEncoder ? whyNotLoadable(record) : whyNotBuildable(record);
            if (why.isPresent()) {
                unbuildable.put(version, why.get());
                continue;
            }
            try {
                Clip4ClipModel model = loaded.computeIfAbsent(version, v -> loadChecked(record));
                VersionTarget target = new VersionTarget(version, new ClipAggregator(model));
                if (otherEncoder) {
                    reencoded.put(version, target);
                } else {
                    targets.add(target);
                }
            } catch (RuntimeException e) {
                unbuildable.put(
                        version, "its model at " + record.getWeightsLocation() + " does not load: " + e.getMessage());
                LOG.error("index-service: cannot build model version {}: {}", version, e.getMessage(), e);
            }
        }
        Set<String> keep = new LinkedHashSet<>();
        targets.forEach(t -> keep.add(t.version()));
        keep.addAll(reencoded.keySet());
        loaded.entrySet().removeIf(entry -> {
            if (keep.contains(entry.getKey())) {
                return false;
            }
            // A stream task may still hold a snapshot with its head: close it with the service, not now.
            dropped.add(entry.getValue());
            return true;
        });
        unbuildable.forEach(
                (version, why) -> LOG.warn("index-service: model version {} is not built here: {}", version, why));
        snapshot = new Snapshot(targets, sameEncoder, retired, unbuildable, catalog.active(), reencoded);
    }

    /** Whether {@code record}'s CLIP visual encoder is known to differ from this instance's. */
    private boolean otherEncoder(ModelVersion record) {
        return ownFingerprint != null
                && record.getVisualFingerprint() != null
                && !ownFingerprint.equals(record.getVisualFingerprint());
    }

    /** Why a version of another visual encoder cannot be indexed here: its head must load. */
    private static Optional<String> whyNotLoadable(ModelVersion record) {
        if (record.getWeightsLocation() == null) {
            return Optional.of("its record names no weights location");
        }
        return Optional.empty();
    }

    /** Why a version of the same (or an unknown) visual encoder cannot be built here from the stored frames. */
    private Optional<String> whyNotBuildable(ModelVersion record) {
        if (ownFingerprint == null || record.getVisualFingerprint() == null) {
            return Optional.of("whether it shares this index's CLIP visual encoder is unknown (no fingerprint), so the"
                    + " stored frame embeddings cannot be trusted for it");
        }
        return whyNotLoadable(record);
    }

    private Clip4ClipModel loadChecked(ModelVersion record) {
        Clip4ClipModel model = loader.load(record.getWeightsLocation());
        String version = record.getModelVersion();
        if (!model.info().modelVersion().equals(version)
                || model.info().embedDim() != own.aggregator().dimension()) {
            String found =
                    model.info().modelVersion() + " (width " + model.info().embedDim() + ")";
            model.close();
            throw new IllegalStateException("expected model version " + version + " of width "
                    + own.aggregator().dimension() + ", found " + found);
        }
        LOG.info("index-service: loaded model version {} from {}", version, record.getWeightsLocation());
        return model;
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(Clip4ClipModel::close);
        loaded.clear();
        dropped.forEach(Clip4ClipModel::close);
        dropped.clear();
    }
}
