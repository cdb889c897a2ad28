package io.clip4stream.query;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.query.caption.CaptionRoutes;
import io.clip4stream.query.caption.CaptionValidator;
import io.clip4stream.query.caption.KafkaCaptionStore;
import io.clip4stream.query.engine.ImageEncoder;
import io.clip4stream.query.engine.ModelExecutor;
import io.clip4stream.query.engine.QueryEncoder;
import io.clip4stream.query.engine.QueryVectors;
import io.clip4stream.query.engine.SearchEngine;
import io.clip4stream.query.engine.ThumbnailCache;
import io.clip4stream.query.example.ImageDecoder;
import io.clip4stream.query.fanout.ClipLookup;
import io.clip4stream.query.fanout.HttpShardClient;
import io.clip4stream.query.fanout.IndexModelCheck;
import io.clip4stream.query.fanout.MetadataShardDirectory;
import io.clip4stream.query.fanout.ScatterGather;
import io.clip4stream.query.fanout.ShardDirectory;
import io.clip4stream.query.fanout.StaticShardDirectory;
import io.clip4stream.query.http.AlertProxyRoutes;
import io.clip4stream.query.http.IngestProxyRoutes;
import io.clip4stream.query.http.MediaLinks;
import io.clip4stream.query.http.MediaRoutes;
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
import io.clip4stream.query.rerank.TightReranker;
import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.runtime.kafka.ServedModel;
import io.clip4stream.runtime.lifecycle.Service;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;

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

    private final QueryConfig config;
    private final Clip4ClipModel model;
    private HttpHost host;
    private ScatterGather gather;
    private HttpClient http;
    private ModelExecutor modelWork;
    private KafkaCaptionStore captionStore;

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
        QueryEncoder queryEncoder = new QueryEncoder(model, ClipTokenizer.withBundledVocabulary());
        metrics.observeTextCache(registry, queryEncoder.cache());
        QueryVectors vectors = new QueryVectors(
                queryEncoder,
                new ImageDecoder(config.imageLimits()),
                new ImageEncoder(model),
                new ClipLookup(directory, shards, config.shardTimeout()),
                model.info().modelVersion());
        modelWork = new ModelExecutor(name(), config.modelWorkers(), config.modelQueue());
        SearchEngine engine = new SearchEngine(
                model.info(),
                vectors,
                gather,
                new TightReranker(model, config.rerankBatch()),
                thumbnails,
                metrics,
                modelWork,
                new BudgetedRerank(new RerankCost(), System::nanoTime, config.rerankBatch()),
                config.rerankBudgetMs());
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
        QueryRoutes.register(
                builder,
                guard,
                new SearchRoutes(engine, config.limits(), config.maxRequestBytes(), config.imageLimits(), metrics),
                new ThumbnailRoutes(thumbnails),
                sourceRoutes,
                ingest,
                new MediaRoutes(
                        ingest,
                        config.apiKeys().isEmpty()
                                ? java.util.Optional.empty()
                                : java.util.Optional.of(new MediaLinks(
                                        config.apiKeys(), MEDIA_LINK_LIFETIME, System::currentTimeMillis))),
                new PageRoutes(config.mediaUrlTemplate(), PageRoutes.modelDescription(model.info(), model.card())));
        if (!config.alertUrl().isBlank()) {
            AlertProxyRoutes alerts = new AlertProxyRoutes(URI.create(config.alertUrl()), http, INGEST_TIMEOUT);
            builder.route(AlertProxyRoutes.STANDING_QUERIES, guard.wrap(alerts::handle))
                    .route(AlertProxyRoutes.ALERTS, guard.wrap(alerts::handle));
        }
        host = builder.build().start();
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
        if (captionStore != null) {
            captionStore.close();
            captionStore = null;
        }
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
