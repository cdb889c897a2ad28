package io.clip4stream.query;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelOptions;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.query.caption.CaptionRoutes;
import io.clip4stream.query.caption.CaptionValidator;
import io.clip4stream.query.caption.KafkaCaptionStore;
import io.clip4stream.query.engine.ImageEncoder;
import io.clip4stream.query.engine.ModelExecutor;
import io.clip4stream.query.engine.QueryEncoder;
import io.clip4stream.query.engine.QueryVectors;
import io.clip4stream.query.engine.SearchEngine;
import io.clip4stream.query.engine.SearchEngines;
import io.clip4stream.query.engine.ThumbnailCache;
import io.clip4stream.query.example.ImageDecoder;
import io.clip4stream.query.fanout.ClipExample;
import io.clip4stream.query.fanout.ClipLookup;
import io.clip4stream.query.fanout.HttpShardClient;
import io.clip4stream.query.fanout.IndexModelCheck;
import io.clip4stream.query.fanout.IndexWire;
import io.clip4stream.query.fanout.MetadataShardDirectory;
import io.clip4stream.query.fanout.ScatterGather;
import io.clip4stream.query.fanout.ShardDirectory;
import io.clip4stream.query.fanout.StaticShardDirectory;
import io.clip4stream.query.http.AlertProxyRoutes;
import io.clip4stream.query.http.IngestProxyRoutes;
import io.clip4stream.query.http.MediaLinks;
import io.clip4stream.query.http.MediaRoutes;
import io.clip4stream.query.http.ModelVersionRoutes;
import io.clip4stream.query.http.PageRoutes;
import io.clip4stream.query.http.QueryRoutes;
import io.clip4stream.query.http.RequestGuard;
import io.clip4stream.query.http.SearchRoutes;
import io.clip4stream.query.http.SourceRoutes;
import io.clip4stream.query.http.ThumbnailRoutes;
import io.clip4stream.query.http.TokenBucketLimiter;
import io.clip4stream.query.metrics.QueryMetrics;
import io.clip4stream.query.rerank.BudgetedRerank;
import io.clip4stream.query.rerank.RerankCost;
import io.clip4stream.query.rerank.RerankLanes;
import io.clip4stream.query.rerank.TightReranker;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.runtime.kafka.ModelCatalog;
import io.clip4stream.runtime.kafka.ModelCatalogWatcher;
import io.clip4stream.runtime.kafka.ModelStatus;
import io.clip4stream.runtime.kafka.ServedModel;
import io.clip4stream.runtime.lifecycle.Service;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query service: the search API and web page over a loaded model and the index-service's shards. The model is
 * the caller's (the launcher may share it); the service never closes it.
 */
public final class QueryService implements Service {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration INGEST_TIMEOUT = Duration.ofMinutes(30);
    // Long enough to watch a video found by a search; a fresh search signs a fresh link.
    private static final Duration MEDIA_LINK_LIFETIME = Duration.ofHours(4);

    /** How long storing or listing captions may wait for Kafka before the request fails with 503. */
    private static final Duration CAPTION_STORE_TIMEOUT = Duration.ofSeconds(15);

    private static final Logger LOG = LoggerFactory.getLogger(QueryService.class);

    private final QueryConfig config;
    private final Clip4ClipModel model;
    private HttpHost host;
    private ScatterGather gather;
    private HttpClient http;
    private ModelExecutor modelWork;
    private RerankLanes rerankLanes;
    private KafkaCaptionStore captionStore;
    private SearchEngines engines;
    private ModelCatalogWatcher catalogWatcher;
    // Models loaded for a model change: a search may still hold one after its version is retired, so they are closed
    // with the service.
    private final List<Clip4ClipModel> loadedModels = new java.util.concurrent.CopyOnWriteArrayList<>();
    // What the page says about each served version's model.
    private final java.util.Map<String, java.util.Map<String, Object>> descriptions =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** A service for {@code config}, answering with {@code model}. */
    public QueryService(QueryConfig config, Clip4ClipModel model) {
        this.config = Objects.requireNonNull(config, "config");
        this.model = Objects.requireNonNull(model, "model");
    }

    @Override
    public String name() {
        return "query-service";
    }

    @Override
    public synchronized void start() {
        if (host != null) {
            return;
        }
        // Candidates carry their frame embeddings as JSON numbers (hundreds of thousands per query): parse them with
        // Jackson's fast floating-point parser.
        ObjectMapper json = JsonMapper.builder()
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .build();
        http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        ShardDirectory directory = config.staticIndex()
                ? new StaticShardDirectory(config.indexUrls())
                : new MetadataShardDirectory(
                        config.indexUrls(),
                        http,
                        json,
                        config.indexApiKey(),
                        config.shardTimeout(),
                        config.metadataRefresh());
        IndexModelCheck modelCheck = new IndexModelCheck(
                servedModel(model), http, json, config.indexApiKey(), config.shardTimeout(), config::indexUrls);
        // Refuse to start when an index answers that this model does not fit its vectors; when none answers yet, the
        // readiness probe asks again.
        modelCheck.check().ifPresent(reason -> {
            throw new IllegalStateException(name() + " refuses to start: " + reason);
        });
        HttpShardClient shards = new HttpShardClient(http, json, config.indexApiKey(), config.indexFrameEncoding());
        gather = new ScatterGather(directory, shards, config.shardTimeout(), config.twoPhaseGather());
        PrometheusRegistry registry = new PrometheusRegistry();
        QueryMetrics metrics = new QueryMetrics(registry);
        ThumbnailCache thumbnails = new ThumbnailCache(config.thumbnailCache());
        modelWork = new ModelExecutor(name(), config.modelWorkers(), config.modelQueue());
        rerankLanes = new RerankLanes(name(), config.modelThreads(), config.modelWorkers());
        ClipLookup lookup = new ClipLookup(directory, shards, config.shardTimeout());
        QueryEncoder queryEncoder = new QueryEncoder(model, ClipTokenizer.withBundledVocabulary());
        metrics.observeTextCache(registry, queryEncoder.cache());
        SearchEngine engine = newEngine(model, queryEncoder, lookup, thumbnails, metrics);
        engines = new SearchEngines(engine);
        descriptions.put(model.info().modelVersion(), PageRoutes.modelDescription(model.info(), model.card()));
        ModelVersionRoutes modelVersions =
                new ModelVersionRoutes(engines, directory, http, json, config.indexApiKey(), config.shardTimeout());
        RequestGuard guard = new RequestGuard(
                config.corsOrigins(),
                new TokenBucketLimiter(config.rateLimitPerSecond(), config.rateLimitBurst(), System::nanoTime),
                metrics);
        HttpHost.Builder builder = HttpHost.builder(name())
                .port(config.httpPort())
                .limits(config.http().withMaxBodyBytes(Math.max(config.maxRequestBytes(), config.maxUploadBytes())))
                .bindAddress(config.bindAddress())
                .registry(registry)
                .apiKeys(config.apiKeys())
                .readiness("model", modelCheck::fitsSoFar)
                .readiness("index", () -> indexDiscoverable(directory));
        IngestProxyRoutes ingest = new IngestProxyRoutes(
                config.ingestUrl(), config.ingestApiKey(), http, config.maxUploadBytes(), INGEST_TIMEOUT);
        SourceRoutes sourceRoutes = new SourceRoutes(directory, shards, config.shardTimeout());
        captionStore = new KafkaCaptionStore(config.kafka(), config.topics().captions(), CAPTION_STORE_TIMEOUT);
        CaptionRoutes captions = new CaptionRoutes(
                new CaptionValidator(System::currentTimeMillis),
                captionStore,
                () -> {
                    SourceRoutes.SourcesStatus status = sourceRoutes.status();
                    return new CaptionRoutes.IndexedSources(status.sources(), !status.partial());
                },
                config.maxRequestBytes());
        builder.route(CaptionRoutes.PATH, guard.wrap(captions::handle));
        builder.route(ModelVersionRoutes.PATH, guard.wrap(modelVersions::handle));
        QueryRoutes.register(
                builder,
                guard,
                new SearchRoutes(engines, config.limits(), config.maxRequestBytes(), config.imageLimits(), metrics),
                new ThumbnailRoutes(thumbnails, clipId -> thumbnailOf(lookup, clipId)),
                sourceRoutes,
                ingest,
                new MediaRoutes(
                        ingest,
                        config.apiKeys().isEmpty()
                                ? java.util.Optional.empty()
                                : java.util.Optional.of(new MediaLinks(
                                        config.apiKeys(), MEDIA_LINK_LIFETIME, System::currentTimeMillis))),
                new PageRoutes(config.mediaUrlTemplate(), () -> descriptions.get(engines.activeVersion())));
        if (!config.alertUrl().isBlank()) {
            AlertProxyRoutes alerts =
                    new AlertProxyRoutes(URI.create(config.alertUrl()), http, INGEST_TIMEOUT, thumbnails::allow);
            builder.route(AlertProxyRoutes.STANDING_QUERIES, guard.wrap(alerts::handle))
                    .route(AlertProxyRoutes.ALERTS, guard.wrap(alerts::handle));
        }
        host = builder.build().start();
        if (config.followModels()) {
            // A model change (model deploy / activate / retire on the models topic) reaches this service without a
            // restart.
            catalogWatcher = new ModelCatalogWatcher(
                    config.kafka(),
                    config.topics().models(),
                    catalog -> onCatalog(catalog, lookup, thumbnails, metrics));
            // Not waited for: a query service serves its configured model without Kafka (captions aside), and a
            // restarted instance switches to an activated version as soon as the topic is read.
            catalogWatcher.start(Duration.ZERO);
        }
    }

    /** One model version's search path; every version shares the shards, thumbnails, metrics and model executor. */
    private SearchEngine newEngine(
            Clip4ClipModel served,
            QueryEncoder queryEncoder,
            ClipLookup lookup,
            ThumbnailCache thumbnails,
            QueryMetrics metrics) {
        QueryVectors vectors = new QueryVectors(
                queryEncoder,
                new ImageDecoder(config.imageLimits()),
                new ImageEncoder(served),
                lookup,
                served.info().modelVersion());
        return new SearchEngine(
                served.info(),
                vectors,
                gather,
                new TightReranker(served, config.rerankBatch(), rerankLanes),
                thumbnails,
                metrics,
                modelWork,
                new BudgetedRerank(new RerankCost(), System::nanoTime, config.rerankBatch()),
                config.rerankBudgetMs());
    }

    /** The thumbnail of the stored clip {@code clipId} (any model version's: they share the clip's frames). */
    static Optional<byte[]> thumbnailOf(ClipLookup lookup, String clipId) {
        return lookup.find(ClipExample.clip(clipId), null).clips().stream()
                .map(IndexWire.StoredClip::thumbnailJpeg)
                .filter(jpeg -> jpeg != null && jpeg.length > 0)
                .findFirst();
    }

    /**
     * Serves every version the deployment keeps (loading the model directory its record names), switches to the
     * active one, and stops serving retired ones; runs on the catalog watcher's thread.
     */
    private void onCatalog(ModelCatalog catalog, ClipLookup lookup, ThumbnailCache thumbnails, QueryMetrics metrics) {
        String own = model.info().modelVersion();
        for (String version : catalog.kept()) {
            if (engines.serves(version)) {
                continue;
            }
            Optional<String> location = catalog.weightsLocation(version);
            if (location.isEmpty()) {
                LOG.warn("query-service: model version {} names no weights location; not served here", version);
                continue;
            }
            Clip4ClipModel loaded;
            try {
                loaded = Clip4ClipModel.load(Path.of(location.get()), ModelOptions.defaults());
            } catch (RuntimeException e) {
                LOG.error(
                        "query-service: model version {} at {} does not load; not served: {}",
                        version,
                        location.get(),
                        e.getMessage(),
                        e);
                continue;
            }
            if (!loaded.info().modelVersion().equals(version)
                    || loaded.info().embedDim() != model.info().embedDim()) {
                LOG.error(
                        "query-service: {} holds model version {} of width {}, not version {} of width {}; not served",
                        location.get(),
                        loaded.info().modelVersion(),
                        loaded.info().embedDim(),
                        version,
                        model.info().embedDim());
                loaded.close();
                continue;
            }
            loadedModels.add(loaded);
            descriptions.put(version, PageRoutes.modelDescription(loaded.info(), loaded.card()));
            engines.add(newEngine(
                    loaded,
                    new QueryEncoder(loaded, ClipTokenizer.withBundledVocabulary()),
                    lookup,
                    thumbnails,
                    metrics));
            LOG.info("query-service: serving model version {} from {}", version, location.get());
        }
        String active = catalog.active().orElse(own);
        if (engines.serves(active) && !active.equals(engines.activeVersion())) {
            engines.activate(active);
            LOG.info("query-service: searches now use model version {}", active);
        } else if (!engines.serves(active)) {
            LOG.error(
                    "query-service: model version {} is active but cannot be served here; still using {}",
                    active,
                    engines.activeVersion());
        }
        for (String version : catalog.withStatus(ModelStatus.RETIRED)) {
            if (engines.serves(version) && !version.equals(engines.activeVersion())) {
                engines.remove(version);
                LOG.info("query-service: model version {} is retired; no longer served", version);
            }
        }
    }

    private static boolean indexDiscoverable(ShardDirectory directory) {
        try {
            return !directory.layout().instances().isEmpty();
        } catch (io.clip4stream.query.fanout.ShardException e) {
            return false;
        }
    }

    /** The base URI the service answers on (after {@link #start()}). */
    public synchronized URI uri() {
        if (host == null) {
            throw new IllegalStateException("query-service is not started");
        }
        return host.uri();
    }

    @Override
    public synchronized boolean isReady() {
        return host != null && host.isReady();
    }

    @Override
    public synchronized void close() {
        if (catalogWatcher != null) {
            catalogWatcher.close();
            catalogWatcher = null;
        }
        if (host != null) {
            host.close();
            host = null;
        }
        if (gather != null) {
            gather.close();
            gather = null;
        }
        if (http != null) {
            http.close();
            http = null;
        }
        if (modelWork != null) {
            modelWork.close();
            modelWork = null;
        }
        if (rerankLanes != null) {
            rerankLanes.close();
            rerankLanes = null;
        }
        if (captionStore != null) {
            captionStore.close();
            captionStore = null;
        }
        loadedModels.forEach(Clip4ClipModel::close);
        loadedModels.clear();
    }

    /** The engines of the model versions served (after {@link #start()}), for tests of a model change. */
    public synchronized SearchEngines engines() {
        if (engines == null) {
            throw new IllegalStateException("query-service is not started");
        }
        return engines;
    }

    /** The bounded executor that runs this service's model work (after {@link #start()}), for load tests. */
    public synchronized ModelExecutor modelWork() {
        if (modelWork == null) {
            throw new IllegalStateException("query-service is not started");
        }
        return modelWork;
    }

    /** What the deployment's model record says about {@code model}, to compare with the index's. */
    private static ServedModel servedModel(Clip4ClipModel model) {
        io.clip4stream.model.ModelInfo info = model.info();
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
