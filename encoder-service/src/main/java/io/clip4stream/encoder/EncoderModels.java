package io.clip4stream.encoder;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelInfo;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.runtime.kafka.ModelStatus;
import io.clip4stream.schemas.avro.ModelVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models this encoder encodes with: the configured one (loaded by {@link Main}, owned by the caller), plus every
 * kept version of a model change (deployed, ready or active on the {@code models} topic) whose CLIP visual encoder
 * differs from it, loaded from the version's weights location. Live frames are encoded with the {@link Snapshot#active}
 * model; a frame that ingest decoded again from kept media for version V ({@code reencodeFor = V}) with V's
 * ({@link Snapshot#forVersion}).
 *
 * <p>Updated from the catalog on the watcher's thread; read by the encode loop through immutable {@link Snapshot}s.
 * A version that is retired (or disappears) is dropped from the next snapshot but closed only with the service, since
 * a batch being embedded may still hold it.
 */
public final class EncoderModels implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EncoderModels.class);

    /** What the encoder needs of a loaded model; {@link #of(Clip4ClipModel)} adapts a {@link Clip4ClipModel}. */
    public interface VisualModel extends AutoCloseable {
        /** What the model is. */
        ModelInfo info();

        /** The hash of its CLIP visual encoder weights. */
        String visualFingerprint();

        /** Embeds {@code frames} frames of normalised pixels. */
        float[][] embedFrames(float[] pixels, int frames);

        /** Releases the model. */
        @Override
        void close();
    }

    /** Loads the model directory a version's record names; the caller (these models) owns what it returns. */
    @FunctionalInterface
    public interface ModelLoader {
        /** Loads the model at {@code location}. */
        VisualModel load(String location);
    }

    /**
     * What the encode loop encodes with, as of one catalog.
     *
     * @param active the model live frames (without {@code reencodeFor}) are encoded with
     * @param reencode the model for each version a re-encode frame may name
     * @param unservable versions this encoder cannot encode re-encode frames for, each with the reason
     */
    public record Snapshot(EncoderModel active, Map<String, EncoderModel> reencode, Map<String, String> unservable) {

        /** Copies the maps. */
        public Snapshot {
            Objects.requireNonNull(active, "active");
            reencode = Map.copyOf(reencode);
            unservable = Map.copyOf(unservable);
        }

        /** Whether this snapshot says anything of {@code version}: served here, or refused with a reason. */
        public boolean knows(String version) {
            return reencode.containsKey(version) || unservable.containsKey(version);
        }

        /** The model for frames re-encoded for {@code version}, or empty (see {@link #whyNot}). */
        public Optional<EncoderModel> forVersion(String version) {
            return Optional.ofNullable(reencode.get(version));
        }

        /** Why frames re-encoded for {@code version} cannot be encoded here. */
        public String whyNot(String version) {
            String why = unservable.get(version);
            return why != null
                    ? why
                    : "model version " + version + " is not deployed on the models topic (no deployed, ready or"
                            + " active record names it)";
        }
    }

    private final VisualModel configured;
    private final EncoderModel configuredModel;
    private final ModelLoader loader;
    private final Supplier<ModelCatalog> reread;
    private final Set<String> rereadFor = new HashSet<>();
    private final Map<String, VisualModel> loaded = new HashMap<>();
    private final List<VisualModel> dropped = new ArrayList<>();
    // One EncoderModel per version and loaded model, so a batch read across two catalogs groups a version's frames
    // once.
    private final Map<String, EncoderModel> wrappers = new HashMap<>();
    private volatile Snapshot snapshot;

    /** The models of an encoder configured with {@code configured} (not closed here), loading others with a loader. */
    public EncoderModels(VisualModel configured, ModelLoader loader) {
        this(configured, loader, null);
    }

    /**
     * As {@link #EncoderModels(VisualModel, ModelLoader)}, reading the whole catalog with {@code reread} when a frame
     * names a version no catalog read so far knows ({@link #knowing}); null: never.
     */
    public EncoderModels(VisualModel configured, ModelLoader loader, Supplier<ModelCatalog> reread) {
        this.configured = Objects.requireNonNull(configured, "configured");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.reread = reread;
        this.configuredModel =
                model(configured, configured.info().modelId(), configured.info().modelVersion());
        this.snapshot = new Snapshot(configuredModel, Map.of(configuredModel.version(), configuredModel), Map.of());
    }

    /**
     * The models of an encoder configured with {@code configured}, loading others with {@code loader} and reading the
     * catalog again with {@code reread} for a version not seen yet (null: never).
     */
    public static EncoderModels of(Clip4ClipModel configured, ModelLoader loader, Supplier<ModelCatalog> reread) {
        return new EncoderModels(of(configured), loader, reread);
    }

    /** An encoder that only ever encodes with {@code configured}: every other version is refused. */
    public static EncoderModels only(Clip4ClipModel configured) {
        String version = configured.info().modelVersion();
        return of(
                configured,
                location -> {
                    throw new IllegalStateException("this encoder serves only model version " + version);
                },
                null);
    }

    /** Adapts {@code model}; closing the adapter closes the model. */
    public static VisualModel of(Clip4ClipModel model) {
        Objects.requireNonNull(model, "model");
        return new VisualModel() {
            @Override
            public ModelInfo info() {
                return model.info();
            }

            @Override
            public String visualFingerprint() {
                return model.visualFingerprint();
            }

            @Override
            public float[][] embedFrames(float[] pixels, int frames) {
                return model.embedFrames(pixels, frames);
            }

            @Override
            public void close() {
                model.close();
            }
        };
    }

    /** The current snapshot. */
    public Snapshot snapshot() {
        return snapshot;
    }

    /** The model live frames are encoded with now. */
    public EncoderModel active() {
        return snapshot.active();
    }

    /** The model for frames re-encoded for {@code version} now, or empty. */
    public Optional<EncoderModel> forVersion(String version) {
        return snapshot.forVersion(version);
    }

    /**
     * The snapshot to serve frames re-encoded for {@code version} with: the current one when it knows the version;
     * otherwise, once per version, after reading the whole catalog again and applying it. Ingest re-encodes only for
     * a version recorded on the topic, so a version unknown here is one whose record the watcher has not delivered
     * yet, or whose weights it is still loading (then this waits for that load): its frames are not refused for being
     * early.
     */
    public Snapshot knowing(String version) {
        Snapshot current = snapshot;
        if (current.knows(version) || reread == null) {
            return current;
        }
        synchronized (this) {
            if (snapshot.knows(version) || !rereadFor.add(version)) {
                return snapshot;
            }
            try {
                LOG.info(
                        "encoder-service: frames name model version {}, not seen yet; reading the catalog again",
                        version);
                update(reread.get());
            } catch (RuntimeException e) {
                LOG.warn(
                        "encoder-service: reading the catalog again for model version {} failed: {}",
                        version,
                        e.toString());
            }
            return snapshot;
        }
    }

    /**
     * Reads {@code catalog}: loads the kept versions of another visual encoder (once each), drops retired ones, picks
     * the active model, and publishes a new snapshot. A version that cannot be loaded is left out, with the reason.
     */
    public synchronized void update(ModelCatalog catalog) {
        ModelInfo own = configured.info();
        Map<String, EncoderModel> reencode = new LinkedHashMap<>();
        Map<String, String> unservable = new LinkedHashMap<>();
        for (String version : catalog.withStatus(ModelStatus.RETIRED)) {
            unservable.put(version, "model version " + version + " was retired");
        }
        if (!catalog.retired(own.modelVersion())) {
            reencode.put(own.modelVersion(), configuredModel);
        }
        Map<String, VisualModel> keep = new HashMap<>();
        for (String version : catalog.kept()) {
            if (version.equals(own.modelVersion())) {
                continue;
            }
            ModelVersion record = catalog.record(version).orElseThrow();
            if (configured.visualFingerprint() != null
                    && configured.visualFingerprint().equals(record.getVisualFingerprint())) {
                // Its visual encoder is the configured one: its frames are the configured model's, under its name.
                reencode.put(version, wrapped(configured, record.getModelId(), version));
                continue;
            }
            Optional<String> why = whyNotLoadable(record, own);
            if (why.isPresent()) {
                unservable.put(version, "model version " + version + " " + why.get());
                continue;
            }
            try {
                VisualModel model = loaded.get(version);
                if (model == null) {
                    model = loadChecked(record, own);
                    loaded.put(version, model);
                }
                keep.put(version, model);
                reencode.put(version, wrapped(model, model.info().modelId(), version));
            } catch (RuntimeException e) {
                unservable.put(
                        version,
                        "model version " + version + ": its model at " + record.getWeightsLocation()
                                + " does not load: " + e.getMessage());
                LOG.error("encoder-service: cannot load model version {}: {}", version, e.getMessage(), e);
            }
        }
        loaded.entrySet().removeIf(entry -> {
            if (keep.containsKey(entry.getKey())) {
                return false;
            }
            // A batch being embedded may still hold it: close it with the service, not now.
            dropped.add(entry.getValue());
            LOG.info("encoder-service: model version {} dropped", entry.getKey());
            return true;
        });
        wrappers.keySet().retainAll(reencode.keySet());
        EncoderModel active = activeModel(catalog, reencode, unservable);
        // A retired version is refused quietly: that is what retiring asks for, and it is said once by whoever retired
        // it.
        unservable.forEach((version, why) -> {
            if (!catalog.retired(version)) {
                LOG.warn("encoder-service: frames re-encoded for {} are refused: {}", version, why);
            }
        });
        Snapshot previous = snapshot;
        snapshot = new Snapshot(active, reencode, unservable);
        if (!previous.active().version().equals(active.version())) {
            LOG.info(
                    "encoder-service: live frames are now encoded with model {} {} (was {})",
                    active.encoding().modelId(),
                    active.version(),
                    previous.active().version());
        }
    }

    private EncoderModel activeModel(
            ModelCatalog catalog, Map<String, EncoderModel> reencode, Map<String, String> unservable) {
        Optional<String> active = catalog.active();
        if (active.isEmpty() || active.get().equals(configuredModel.version())) {
            return configuredModel;
        }
        String version = active.get();
        String fingerprint =
                catalog.record(version).map(ModelVersion::getVisualFingerprint).orElse(null);
        if (fingerprint != null && fingerprint.equals(configured.visualFingerprint())) {
            // The same visual encoder: the configured model's frame embeddings serve the active version as they are.
            return configuredModel;
        }
        EncoderModel model = reencode.get(version);
        if (model == null) {
            LOG.error(
                    "encoder-service: the active model version {} cannot be encoded here ({}); live frames stay on {}",
                    version,
                    unservable.getOrDefault(version, "not loaded"),
                    configuredModel.version());
            return configuredModel;
        }
        return model;
    }

    private static Optional<String> whyNotLoadable(ModelVersion record, ModelInfo own) {
        if (record.getWeightsLocation() == null) {
            return Optional.of(
                    "has another CLIP visual encoder and its record names no weights location to load it" + " from");
        }
        if (record.getEmbedDim() != own.embedDim()) {
            return Optional.of("embeds " + record.getEmbedDim() + "-wide vectors, the configured model "
                    + own.modelVersion() + " " + own.embedDim() + "-wide; one deployment holds one width");
        }
        return Optional.empty();
    }

    private VisualModel loadChecked(ModelVersion record, ModelInfo own) {
        VisualModel model = loader.load(record.getWeightsLocation());
        ModelInfo info = model.info();
        String version = record.getModelVersion();
        String problem = null;
        if (!info.modelVersion().equals(version)) {
            problem = "its model directory holds version " + info.modelVersion() + ", not " + version;
        } else if (info.embedDim() != own.embedDim()) {
            problem = "its model is " + info.embedDim() + "-wide, the configured model " + own.embedDim() + "-wide";
        } else if (info.linearPatch() == LinearPatch.THREE_D) {
            problem = "it uses the 3D patch, whose frame embeddings depend on their clip neighbours";
        }
        if (problem != null) {
            model.close();
            throw new IllegalStateException(problem);
        }
        LOG.info(
                "encoder-service: loaded model version {} ({}) from {}",
                version,
                info.modelId(),
                record.getWeightsLocation());
        return model;
    }

    private EncoderModel wrapped(VisualModel model, String modelId, String version) {
        EncoderModel cached = wrappers.get(version);
        if (cached != null
                && cached.info() == model.info()
                && cached.encoding().modelId().equals(modelId)) {
            return cached;
        }
        EncoderModel made = model(model, modelId, version);
        wrappers.put(version, made);
        return made;
    }

    private static EncoderModel model(VisualModel model, String modelId, String version) {
        ModelInfo info = model.info();
        return new EncoderModel(new FrameEncoding(modelId, version, info.imageSize()), info, model::embedFrames);
    }

    /** Closes every model loaded from the catalog (not the configured one, which its caller owns). */
    @Override
    public synchronized void close() {
        loaded.values().forEach(VisualModel::close);
        loaded.clear();
        dropped.forEach(VisualModel::close);
        dropped.clear();
    }
}
