package io.clip4stream.index;

import io.clip4stream.index.aggregate.ClipAggregator;
import io.clip4stream.index.http.IndexRoutes;
import io.clip4stream.index.metrics.IndexMetrics;
import io.clip4stream.index.rebuild.IndexModels;
import io.clip4stream.index.rebuild.RebuildProgress;
import io.clip4stream.index.rebuild.ShardProgress;
import io.clip4stream.index.rebuild.VersionTarget;
import io.clip4stream.index.shard.ShardLocator;
import io.clip4stream.index.store.ReadOnlyClipVectorStore;
import io.clip4stream.index.topology.ErrorTopicDeserializationHandler;
import io.clip4stream.index.topology.IndexTopology;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelInfo;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.runtime.kafka.ModelCatalogWatcher;
import io.clip4stream.runtime.kafka.ModelFit;
import io.clip4stream.runtime.kafka.ModelStatus;
import io.clip4stream.runtime.kafka.ModelVersionClips;
import io.clip4stream.runtime.kafka.ModelVersionLog;
import io.clip4stream.runtime.kafka.ServedModel;
import io.clip4stream.runtime.kafka.TopicProvisioner;
import io.clip4stream.runtime.lifecycle.Service;
import io.clip4stream.schemas.topic.Topics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StandbyUpdateListener;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index service: a Kafka Streams application (exactly-once v2) whose tasks each own a Lucene HNSW shard, plus
 * the HTTP API that queries the local shards and tells the query-service where the others are.
 */
public final class IndexService implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(IndexService.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final IndexConfig config;
    private final Clip4ClipModel givenModel;
    private final StateRestoreListener restoreListener;
    private final StandbyUpdateListener standbyListener;
    private Clip4ClipModel ownedModel;
    /** Where the deployment's recorded model versions are served, for the query service's start-up check. */
    public static final String MODELS_PATH = "/v1/models";

    private volatile KafkaStreams streams;
    private HttpHost http;
    private ShardLocator shards;
    private volatile String activeModelVersion;
    private volatile String self;
    private volatile IndexMetrics metrics;
    private final AtomicBoolean explained = new AtomicBoolean();
    private volatile ServedModel ownModel;
    private volatile List<ServedModel> recordedModels = List.of();
    private volatile ModelCatalog catalog = ModelCatalog.EMPTY;
    private IndexModels models;
    private ModelCatalogWatcher catalogWatcher;
    private final RebuildProgress rebuildProgress = new RebuildProgress();

    /** A service that loads the model from {@link IndexConfig#modelDir()} when it starts, and owns it. */
    public IndexService(IndexConfig config) {
        this(config, null, null);
    }

    /**
     * A service using {@code model} (owned by the caller) and reporting state restoration to {@code restoreListener}
     * (may be {@code null}).
     */
    public IndexService(IndexConfig config, Clip4ClipModel model, StateRestoreListener restoreListener) {
        this(config, model, restoreListener, null);
    }

    /**
     * A service using {@code model} (owned by the caller), reporting state restoration to {@code restoreListener} and
     * standby replica updates to {@code standbyListener} (either may be {@code null}).
     */
    public IndexService(
            IndexConfig config,
            Clip4ClipModel model,
            StateRestoreListener restoreListener,
            StandbyUpdateListener standbyListener) {
        this.config = Objects.requireNonNull(config, "config");
        this.givenModel = model;
        this.restoreListener = restoreListener;
        this.standbyListener = standbyListener;
    }

    @Override
    public String name() {
        return "index-service";
    }

    @Override
    public synchronized void start() {
        if (streams != null) {
            throw new IllegalStateException("index-service is already started");
        }
        try {
            startAll();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startAll() {
        Clip4ClipModel model = givenModel;
        if (model == null) {
            ownedModel = Clip4ClipModel.load(config.modelDir(), ModelOptions.defaults());
            model = ownedModel;
        }
        ClipAggregator aggregator = new ClipAggregator(model);
        activeModelVersion = config.activeModelVersion().orElse(aggregator.modelVersion());
        models = new IndexModels(
                new VersionTarget(aggregator.modelVersion(), aggregator),
                model.visualFingerprint(),
                location -> Clip4ClipModel.load(java.nio.file.Path.of(location), ModelOptions.defaults()));
        Topics topics = config.topics();
        new TopicProvisioner(config.kafka(), config.replicationFactor(), TopicProvisioner.DEFAULT_TIMEOUT)
                .ensure(topics.all());
        // Before the store is touched: a model that does not fit the vectors stored under the deployment's versions
        // is refused, naming both.
        ServedModel served = servedModel(model);
        ModelFit fit = new ModelVersionLog(
                        config.kafka(), topics.models(), TopicProvisioner.DEFAULT_TIMEOUT, Clock.systemUTC())
                .checkAndRecord(name(), served);
        List<ServedModel> recorded = new ArrayList<>(fit.recorded());
        recorded.removeIf(m -> m.modelVersion().equals(served.modelVersion()));
        recorded.add(served);
        ownModel = served;
        recordedModels = List.copyOf(recorded);
        // Before the topology starts: a restarted instance must index new clips under every kept version at once.
        catalogWatcher = new ModelCatalogWatcher(config.kafka(), topics.models(), this::onCatalog);
        if (!catalogWatcher.start(TopicProvisioner.DEFAULT_TIMEOUT)) {
            LOG.warn(
                    "index-service: the model versions on {} were not read within {}; indexing under {} until they are",
                    topics.models().name(),
                    TopicProvisioner.DEFAULT_TIMEOUT,
                    aggregator.modelVersion());
        }

        PrometheusRegistry registry = new PrometheusRegistry();
        metrics = new IndexMetrics(
                registry,
                () -> streams,
                IndexTopology.CLIP_STORE,
                topics.frameEmbeddings().name(),
                config.stateDir().resolve(config.applicationId()));
        IndexMetrics.observeRebuild(registry, rebuildProgress);
        HttpHost.Builder host = HttpHost.builder(name())
                .registry(registry)
                .port(config.httpPort())
                .limits(config.http())
                .apiKeys(config.apiKeys())
                .readiness("streams", this::isStreamsRunning);
        shards = new ShardLocator(
                () -> streams,
                IndexTopology.CLIP_STORE,
                topics.frameEmbeddings().name(),
                config.applicationId(),
                () -> self,
                config.partitions());
        IndexRoutes.register(host, shards, () -> activeModelVersion);
        // The query service compares its own model with these before it serves: one width, one model per version.
        host.route(MODELS_PATH, exchange -> {
            if (!exchange.method().equals("GET")) {
                throw new ApiException(405, "method_not_allowed", "Use GET on " + MODELS_PATH);
            }
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("active", activeModelVersion);
            body.put("models", recordedModels);
            body.put("versions", versionStatus());
            // This instance's shards only: the query service sums the instances' counts.
            body.put("instance", self);
            try {
                body.put("partitions", shards.localActivePartitions());
                body.put("clipsPerModelVersion", shards.localStore().clipsPerModelVersion());
            } catch (InvalidStateStoreException | IllegalStateException notYet) {
                body.put("partitions", List.of());
                body.put("clipsPerModelVersion", null);
            }
            exchange.respondJson(200, body);
        });
        http = host.build();
        // The host is bound now: its actual port is what the Streams metadata must advertise.
        self = config.advertisedHost() + ":" + http.port();

        StreamsBuilder builder = new StreamsBuilder();
        IndexTopology.build(builder, config, models, rebuildProgress, metrics::observe, metrics::observeMaintenance);
        Topology topology = builder.build();
        LOG.info("index topology:\n{}", topology.describe());
        KafkaStreams created = new KafkaStreams(topology, streamsProperties(self));
        if (restoreListener != null) {
            created.setGlobalStateRestoreListener(restoreListener);
        }
        if (standbyListener != null) {
            created.setStandbyUpdateListener(standbyListener);
        }
        created.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING && explained.compareAndSet(false, true)) {
                // Off the stream thread: counting reads every local shard.
                Thread.ofVirtual().name("index-model-advice").start(this::explainAnEmptyActiveVersion);
            }
        });
        streams = created;
        created.start();
        http.start();
        LOG.info(
                "index-service started: {} on {}, active model version {}",
                self,
                config.stateDir(),
                activeModelVersion);
    }

    private Properties streamsProperties(String self) {
        Map<String, Object> settings = config.kafka().streams(config.applicationId());
        settings.put(
                StreamsConfig.STATE_DIR_CONFIG,
                config.stateDir().toAbsolutePath().toString());
        settings.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self);
        settings.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.standbyReplicas());
        settings.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
        settings.put(
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                config.streamsCommitInterval().toMillis());
        settings.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        settings.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.replicationFactor());
        settings.put(
                StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                ErrorTopicDeserializationHandler.class.getName());
        settings.put(
                ErrorTopicDeserializationHandler.ERRORS_TOPIC_CONFIG,
                config.topics().errors().name());
        settings.put(StreamsConfig.producerPrefix("max.request.size"), Integer.toString(Topics.MAX_MESSAGE_BYTES));
        Properties properties = new Properties();
        properties.putAll(settings);
        return properties;
    }

    private boolean isStreamsRunning() {
        KafkaStreams current = streams;
        return current != null && current.state() == KafkaStreams.State.RUNNING;
    }

    @Override
    public boolean isReady() {
        return isStreamsRunning();
    }

    /** The local shards as one queryable store (interactive queries), for in-process callers. */
    public ReadOnlyClipVectorStore localStore() {
        return requireStarted().localStore();
    }

    /** Where the shards are, for in-process callers. */
    public ShardLocator shards() {
        return requireStarted();
    }

    /** The HTTP host (its port, for callers that asked for port 0). */
    public HttpHost http() {
        if (http == null) {
            throw new IllegalStateException("index-service has not started");
        }
        return http;
    }

    /** The Kafka Streams state, or NOT_RUNNING before start. */
    public KafkaStreams.State state() {
        KafkaStreams current = streams;
        return current == null ? KafkaStreams.State.NOT_RUNNING : current.state();
    }

    /** The service's metrics (after {@link #start()}). */
    public IndexMetrics metrics() {
        if (metrics == null) {
            throw new IllegalStateException("index-service has not started");
        }
        return metrics;
    }

    /**
     * What to do when the active model version holds no clips on this instance's shards while other versions do
     * (a data directory indexed with another model); empty when there is nothing to say or the shards cannot be read.
     */
    public Optional<String> emptyActiveVersionAdvice() {
        try {
            return new ModelVersionClips(requireStarted().localStore().clipsPerModelVersion())
                    .startupAdvice(activeModelVersion, this::sharesTheVisualEncoder);
        } catch (InvalidStateStoreException | IllegalStateException notReadable) {
            return Optional.empty();
        }
    }

    /** Whether the recorded version {@code modelVersion} shares the served model's visual encoder; empty: unknown. */
    private Optional<Boolean> sharesTheVisualEncoder(String modelVersion) {
        ServedModel own = ownModel;
        return recordedModels.stream()
                .filter(m -> m.modelVersion().equals(modelVersion))
                .findFirst()
                .flatMap(m -> own == null ? Optional.empty() : own.sameVisualEncoderAs(m));
    }

    private void explainAnEmptyActiveVersion() {
        emptyActiveVersionAdvice().ifPresent(advice -> LOG.warn("index-service: {}", advice));
    }

    /** Acts on a change of the deployment's model versions (on the catalog watcher's thread). */
    private void onCatalog(ModelCatalog next) {
        models.update(next);
        catalog = next;
        List<ServedModel> recorded = new ArrayList<>(next.models());
        ServedModel own = ownModel;
        if (own != null && recorded.stream().noneMatch(m -> m.modelVersion().equals(own.modelVersion()))) {
            recorded.add(own);
        }
        recordedModels = List.copyOf(recorded);
        String active =
                config.activeModelVersion().or(next::active).orElse(models.own().version());
        if (!active.equals(activeModelVersion)) {
            LOG.info("index-service: active model version is now {} (was {})", active, activeModelVersion);
            activeModelVersion = active;
        }
    }

    /**
     * Per model version this instance knows of: its status in a model change, and for each local shard how far it
     * is built ({@code held}/{@code total}); a version this instance cannot build says why.
     */
    public Map<String, Object> versionStatus() {
        Map<String, Object> versions = new java.util.LinkedHashMap<>();
        ModelCatalog current = catalog;
        IndexModels.Snapshot snapshot = models == null ? null : models.snapshot();
        Map<String, Map<Integer, ShardProgress>> progress = rebuildProgress.byVersion();
        java.util.Set<String> names =
                new java.util.LinkedHashSet<>(current.records().keySet());
        names.addAll(progress.keySet());
        for (String version : names) {
            Map<String, Object> entry = new java.util.LinkedHashMap<>();
            entry.put(
                    "status", current.status(version).map(ModelStatus::wireName).orElse("served"));
            entry.put("weightsLocation", current.weightsLocation(version).orElse(null));
            Map<String, Object> shards = new java.util.TreeMap<>();
            progress.getOrDefault(version, Map.of())
                    .forEach((partition, shard) -> shards.put(
                            Integer.toString(partition),
                            Map.of("held", shard.held(), "total", shard.total(), "complete", shard.complete())));
            entry.put("shards", shards);
            if (snapshot != null && snapshot.reencoded().containsKey(version)) {
                // Its visual encoder differs: it is built from kept media encoded again, not from stored frames.
                entry.put("reencode", true);
            }
            if (snapshot != null && snapshot.unbuildable().containsKey(version)) {
                entry.put("notBuilt", snapshot.unbuildable().get(version));
            }
            versions.put(version, entry);
        }
        return versions;
    }

    /** The model version queries use when they name none. */
    public String activeModelVersion() {
        return activeModelVersion;
    }

    private ShardLocator requireStarted() {
        if (shards == null) {
            throw new IllegalStateException("index-service has not started");
        }
        return shards;
    }

    @Override
    public synchronized void close() {
        if (http != null) {
            http.close();
            http = null;
        }
        if (catalogWatcher != null) {
            catalogWatcher.close();
            catalogWatcher = null;
        }
        KafkaStreams current = streams;
        if (current != null) {
            // Leaving the group lets another instance take the shards at once instead of after the session timeout.
            current.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(CLOSE_TIMEOUT));
            streams = null;
        }
        if (models != null) {
            models.close();
            models = null;
        }
        if (ownedModel != null) {
            ownedModel.close();
            ownedModel = null;
        }
    }

    /**
     * What the deployment's model record says about {@code model}: version, width, frame preparation, heads, visual
     * encoder fingerprint (also what {@code model deploy} publishes).
     */
    public static ServedModel servedModel(Clip4ClipModel model) {
        ModelInfo info = model.info();
        var frames = model.preprocessing();
        return new ServedModel(
                info.modelId(),
                info.modelVersion(),
                info.embedDim(),
                frames.resizeSize(),
                frames.interpolation(),
                frames.cropSize(),
                frames.normalize(),
                info.head().configName(),
                model.card().trainedHeads(),
                model.visualFingerprint());
    }
}
