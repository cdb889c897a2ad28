package io.clip4stream.query;

import io.clip4stream.model.ModelOptions;
import io.clip4stream.query.example.ImageLimits;
import io.clip4stream.query.search.SearchLimits;
import io.clip4stream.runtime.config.ConfigException;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.ModelSettings;
import io.clip4stream.runtime.config.Setting;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.http.HttpLimits;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.topic.Topics;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Everything the query service reads from its environment.
 *
 * @param httpPort HTTP port
 * @param bindAddress HTTP bind address
 * @param modelDir the model directory whose text encoder and tight head answer queries
 * @param modelThreads libtorch intra-op threads
 * @param shortTextThreads libtorch intra-op threads of a caption's text pass of at most
 *     {@link ModelOptions#SHORT_TEXT_ROWS} tokens
 * @param indexUrls index-service seed URLs (metadata discovery) or the full instance list (static)
 * @param staticIndex whether {@code indexUrls} is the full list (true) or seeds for metadata discovery (false)
 * @param indexApiKey key sent to the index-service (blank for none)
 * @param indexFrameEncoding how candidates' frame embeddings travel from the index: {@code packed-base64} (as
 *     stored: float16, int10 or int8 when the model version says so; the default), {@code f32le-base64} or
 *     {@code floats} (JSON numbers, for index-services older than the base64 encoding)
 * @param shardTimeout per-shard timeout for candidate gathering
 * @param metadataRefresh how long a discovered layout is reused
 * @param apiKeys keys this service requires (empty: open)
 * @param corsOrigins origins allowed to call the API from a browser ({@code *}: any)
 * @param maxRequestBytes largest JSON request body
 * @param maxUploadBytes largest upload passed through to the ingest-service
 * @param rateLimitPerSecond requests per second per client address
 * @param rateLimitBurst burst size per client address
 * @param limits search request bounds
 * @param rerankBatch clips per tight-head forward pass
 * @param rerankBudgetMs default milliseconds the tight re-rank may take per search (-1: no budget; 0: none re-ranked)
 * @param twoPhaseGather whether shards return ids and scores only, frames being fetched for the candidates re-ranked
 * @param thumbnailCache thumbnails kept for recent hits
 * @param ingestUrl the ingest-service base URL (for the page's uploads, registrations, status and playback)
 * @param ingestApiKey key sent to the ingest-service (blank for none)
 * @param mediaUrlTemplate where the page plays a source's video, {@code {sourceId}} replaced (blank: no playback)
 * @param imageLimits how large an example image may be (bytes, and pixels checked before decoding)
 * @param http the HTTP server's timeouts and limits (its body limit is raised to the largest upload or JSON body)
 * @param modelWorkers threads that run text encoding and re-ranking (the model's bounded executor)
 * @param modelQueue model tasks that may wait for a worker; more are refused with 503
 * @param alertUrl alert-service base URL behind {@code /standing-queries} and {@code /alerts}; blank: routes off
 * @param followModels whether to follow the models topic (model deploy, activate and retire without a restart)
 * @param kafka how to reach Kafka (the captions topic behind {@code /captions})
 * @param topics the topic catalog (its captions topic)
 */
public record QueryConfig(
        int httpPort,
        String bindAddress,
        Path modelDir,
        int modelThreads,
        int shortTextThreads,
        List<URI> indexUrls,
        boolean staticIndex,
        String indexApiKey,
        String indexFrameEncoding,
        Duration shardTimeout,
        Duration metadataRefresh,
        Set<String> apiKeys,
        List<String> corsOrigins,
        int maxRequestBytes,
        long maxUploadBytes,
        double rateLimitPerSecond,
        int rateLimitBurst,
        SearchLimits limits,
        int rerankBatch,
        int rerankBudgetMs,
        boolean twoPhaseGather,
        int thumbnailCache,
        URI ingestUrl,
        String ingestApiKey,
        String mediaUrlTemplate,
        ImageLimits imageLimits,
        HttpLimits http,
        int modelWorkers,
        int modelQueue,
        String alertUrl,
        boolean followModels,
        KafkaClientSettings kafka,
        Topics topics) {

    /** Model workers when {@link #MODEL_WORKERS} is 0: the cores, shared by each worker's libtorch threads. */
    public static int defaultModelWorkers(int modelThreads) {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, modelThreads));
    }

    /** Default queue of model tasks per worker: a short burst waits, a flood is refused. */
    public static final int DEFAULT_MODEL_QUEUE_PER_WORKER = 4;

    /** Model workers. */
    public static final Setting<Integer> MODEL_WORKERS = Setting.integer(
            "CLIP4S_QUERY_MODEL_WORKERS",
            0,
            0,
            1024,
            "Threads running text encoding and re-ranking at once (0: cores / CLIP4S_QUERY_MODEL_THREADS, at least 1)");

    /** Model queue. */
    public static final Setting<Integer> MODEL_QUEUE = Setting.integer(
            "CLIP4S_QUERY_MODEL_QUEUE",
            0,
            0,
            1_000_000,
            "Model tasks that may wait for a worker before searches are refused with 503 and Retry-After (0: "
                    + DEFAULT_MODEL_QUEUE_PER_WORKER + " per worker)");

    /** HTTP port. */
    public static final Setting<Integer> HTTP_PORT =
            Setting.integer("CLIP4S_QUERY_HTTP_PORT", 8084, 0, 65535, "HTTP port of the query service (0: any free)");

    /** HTTP bind address. */
    public static final Setting<String> BIND_ADDRESS =
            Setting.string("CLIP4S_QUERY_BIND_ADDRESS", "0.0.0.0", "Address the query service listens on");

    /** Model directory. */
    public static final Setting<Path> MODEL_DIR = ModelSettings.DIRECTORY;

    /** libtorch threads. */
    public static final Setting<Integer> MODEL_THREADS = Setting.integer(
            "CLIP4S_QUERY_MODEL_THREADS", 2, 1, 64, "libtorch intra-op threads for text encoding and re-ranking");

    /** libtorch threads of a short caption. */
    public static final Setting<Integer> SHORT_TEXT_THREADS = Setting.integer(
            "CLIP4S_QUERY_SHORT_TEXT_THREADS",
            ModelOptions.DEFAULT_SHORT_TEXT_THREADS,
            1,
            64,
            "libtorch intra-op threads encoding a caption of at most " + ModelOptions.SHORT_TEXT_ROWS
                    + " tokens (such a pass mostly reads weights; on 2 cores one thread is faster and steadier)");

    /** Index seeds or instances. */
    public static final Setting<List<String>> INDEX_URLS = Setting.list(
            "CLIP4S_QUERY_INDEX_URLS",
            "http://localhost:8083",
            "Index-service URLs, comma-separated: seeds asked for the metadata endpoint, or every instance (static)");

    /** The default of {@link #INDEX_FRAME_ENCODING}. */
    public static final String DEFAULT_INDEX_FRAME_ENCODING = "packed-base64";

    /** Frame-embedding encoding on the index wire. */
    public static final Setting<String> INDEX_FRAME_ENCODING = new Setting<>(
            "CLIP4S_QUERY_INDEX_FRAME_ENCODING",
            DEFAULT_INDEX_FRAME_ENCODING,
            "How candidates' frame embeddings travel from the index: packed-base64 (as the index stores them: half"
                    + " of f32le-base64 when the model's frame_encoding is float16, a quarter as int8, about 0.3 as int10;"
                    + " an index-service that predates it is asked for f32le-base64 instead), f32le-base64 (base64"
                    + " little-endian float32, about 6x smaller and far cheaper to parse than numbers) or floats (JSON"
                    + " numbers, for index-services that predate f32le-base64)",
            text -> switch (text.strip()) {
                case "f32le-base64", "packed-base64", "floats" -> text.strip();
                default -> throw new IllegalArgumentException("must be f32le-base64, packed-base64 or floats");
            });

    /** Index discovery mode. */
    public static final Setting<String> INDEX_DISCOVERY = new Setting<>(
            "CLIP4S_QUERY_INDEX_DISCOVERY",
            "metadata",
            "How index instances are found: metadata (ask a seed which instance holds which partitions) or static"
                    + " (ask every listed URL)",
            text -> switch (text.strip()) {
                case "metadata", "static" -> text.strip();
                default -> throw new IllegalArgumentException("must be metadata or static");
            });

    /** Key for the index. */
    public static final Setting<String> INDEX_API_KEY =
            Setting.string("CLIP4S_QUERY_INDEX_API_KEY", "", "API key sent to the index-service (empty: none)");

    /** Per-shard timeout. */
    public static final Setting<Duration> SHARD_TIMEOUT_MS = Setting.millis(
            "CLIP4S_QUERY_SHARD_TIMEOUT_MS", 2000, "Per-shard timeout; a slower shard makes the answer partial");

    /** Metadata refresh. */
    public static final Setting<Duration> METADATA_REFRESH_MS = Setting.millis(
            "CLIP4S_QUERY_METADATA_REFRESH_MS",
            5000,
            "How long a discovered shard layout is reused (a failed shard forces a fresh look)");

    /** API keys. */
    public static final Setting<List<String>> API_KEYS = Setting.list(
            "CLIP4S_QUERY_API_KEYS",
            "",
            "Comma-separated API keys (16+ characters) required by every route but the page, probes and metrics"
                    + " (empty: open)");

    /** CORS origins. */
    public static final Setting<List<String>> CORS_ORIGINS = Setting.list(
            "CLIP4S_QUERY_CORS_ORIGINS",
            "",
            "Origins allowed to call the API from other web pages, comma-separated; * for any; empty for none");

    /** JSON body limit. */
    public static final Setting<Integer> MAX_REQUEST_BYTES = Setting.integer(
            "CLIP4S_QUERY_MAX_REQUEST_BYTES", 65_536, 1024, 16 * 1024 * 1024, "Largest JSON request body (413 above)");

    /** Upload limit. */
    public static final Setting<Integer> MAX_UPLOAD_MB = Setting.integer(
            "CLIP4S_QUERY_MAX_UPLOAD_MB",
            2048,
            1,
            1 << 20,
            "Largest upload passed through to the ingest-service, in MiB (413 above)");

    /** Rate. */
    public static final Setting<Double> RATE_LIMIT_PER_SECOND = Setting.positiveDecimal(
            "CLIP4S_QUERY_RATE_LIMIT_PER_SECOND", 20.0, "Requests per second per client address (429 above)");

    /** Burst. */
    public static final Setting<Integer> RATE_LIMIT_BURST = Setting.integer(
            "CLIP4S_QUERY_RATE_LIMIT_BURST", 40, 1, 1_000_000, "Requests a client may burst before the rate applies");

    /** Text limit. */
    public static final Setting<Integer> MAX_TEXT_CHARS = Setting.integer(
            "CLIP4S_QUERY_MAX_TEXT_CHARS", 1000, 1, 10_000, "Longest query text in characters (400 above)");

    /** k limit. */
    public static final Setting<Integer> MAX_K =
            Setting.integer("CLIP4S_QUERY_MAX_K", 100, 1, 10_000, "Largest k (hits) a request may ask for");

    /** N limit. */
    public static final Setting<Integer> MAX_CANDIDATES = Setting.integer(
            "CLIP4S_QUERY_MAX_CANDIDATES", 1000, 1, 100_000, "Largest number of first-stage candidates N");

    /** Default N. */
    public static final Setting<Integer> DEFAULT_CANDIDATES = Setting.integer(
            "CLIP4S_QUERY_DEFAULT_CANDIDATES", 50, 1, 100_000, "First-stage candidates N when a request names none");

    /** The default of {@link #RERANK_BATCH}. */
    public static final int DEFAULT_RERANK_BATCH = 64;

    /** Re-rank batch. */
    public static final Setting<Integer> RERANK_BATCH = Setting.integer(
            "CLIP4S_QUERY_RERANK_BATCH",
            DEFAULT_RERANK_BATCH,
            1,
            10_000,
            "Clips per tight-head forward pass when re-ranking");

    /** Default re-rank budget. */
    public static final Setting<Integer> RERANK_BUDGET_MS = Setting.integer(
            "CLIP4S_QUERY_RERANK_BUDGET_MS",
            -1,
            -1,
            SearchLimits.MAX_RERANK_BUDGET_MS,
            "Milliseconds the tight re-rank may take per search when the request names no rerankBudgetMs: the best"
                    + " candidates that fit are re-ranked, the rest stay first-stage only and the answer is partial"
                    + " (-1: no budget; 0: first-stage only)");

    /** Two-phase gather. */
    public static final Setting<Boolean> TWO_PHASE_GATHER = Setting.bool(
            "CLIP4S_QUERY_TWO_PHASE_GATHER",
            true,
            "Ask index shards for ids and scores only, then fetch frame embeddings (POST /v1/frames) for the global top"
                    + " candidates re-ranked; false: every shard ships all its candidates' frames (index-services older"
                    + " than /v1/frames)");

    /** Thumbnail cache. */
    public static final Setting<Integer> THUMBNAIL_CACHE = Setting.integer(
            "CLIP4S_QUERY_THUMBNAIL_CACHE", 10_000, 1, 10_000_000, "Thumbnails of recent hits kept for /thumbnails");

    /** Ingest URL. */
    public static final Setting<String> INGEST_URL = Setting.string(
            "CLIP4S_QUERY_INGEST_URL",
            "http://localhost:8081",
            "Ingest-service base URL behind /ingest/ (uploads, live streams, status, playback)");

    /** Key for ingest. */
    public static final Setting<String> INGEST_API_KEY =
            Setting.string("CLIP4S_QUERY_INGEST_API_KEY", "", "API key sent to the ingest-service (empty: none)");

    /** Media URL template. */
    public static final Setting<String> MEDIA_URL_TEMPLATE = Setting.string(
            "CLIP4S_QUERY_MEDIA_URL_TEMPLATE",
            "/media/{sourceId}",
            "Where the web page plays a source's video at the hit's time, {sourceId} replaced: /media/{sourceId}"
                    + " (the ingest-service's stored videos, through this service), or e.g."
                    + " https://media.example/{sourceId}.mp4 (none: no playback)");

    /** Example image size limit. */
    public static final Setting<Integer> MAX_IMAGE_BYTES = Setting.integer(
            "CLIP4S_QUERY_MAX_IMAGE_BYTES",
            10 * 1024 * 1024,
            1024,
            64 * 1024 * 1024,
            "Largest example image for search by example (413 above)");

    /** Example image pixel limit. */
    public static final Setting<Integer> MAX_IMAGE_PIXELS = Setting.integer(
            "CLIP4S_QUERY_MAX_IMAGE_PIXELS",
            16_777_216,
            1,
            Integer.MAX_VALUE,
            "Most pixels (width x height) an example image may declare; checked from its header before decoding, so"
                    + " a decompression bomb is refused with 413");

    /** Alert URL. */
    public static final Setting<String> ALERT_URL = Setting.string(
            "CLIP4S_QUERY_ALERT_URL",
            "",
            "Alert-service base URL behind /standing-queries and /alerts (empty: those routes are off)");

    /** Following the models topic. */
    public static final Setting<Boolean> FOLLOW_MODELS = Setting.bool(
            "CLIP4S_QUERY_FOLLOW_MODELS",
            true,
            "Follow the models topic, so that model deploy, activate and retire reach this service without a restart;"
                    + " false: serve the configured model only, with no broker asked for it (captions still need one)");

    /** Every setting, in documentation order. */
    public static final List<Setting<?>> SETTINGS = List.of(
            HTTP_PORT,
            BIND_ADDRESS,
            MODEL_DIR,
            ModelSettings.NAME,
            ModelSettings.OFFLINE,
            MODEL_THREADS,
            SHORT_TEXT_THREADS,
            INDEX_URLS,
            INDEX_DISCOVERY,
            INDEX_API_KEY,
            INDEX_FRAME_ENCODING,
            SHARD_TIMEOUT_MS,
            METADATA_REFRESH_MS,
            API_KEYS,
            CORS_ORIGINS,
            MAX_REQUEST_BYTES,
            MAX_UPLOAD_MB,
            RATE_LIMIT_PER_SECOND,
            RATE_LIMIT_BURST,
            MAX_TEXT_CHARS,
            MAX_K,
            MAX_CANDIDATES,
            DEFAULT_CANDIDATES,
            RERANK_BATCH,
            RERANK_BUDGET_MS,
            TWO_PHASE_GATHER,
            THUMBNAIL_CACHE,
            INGEST_URL,
            INGEST_API_KEY,
            MEDIA_URL_TEMPLATE,
            MAX_IMAGE_BYTES,
            MAX_IMAGE_PIXELS,
            MODEL_WORKERS,
            MODEL_QUEUE,
            HttpLimits.READ_TIMEOUT_MS,
            HttpLimits.IDLE_TIMEOUT_MS,
            HttpLimits.MAX_HEADER_BYTES,
            HttpLimits.MAX_CONCURRENT_REQUESTS,
            HttpLimits.DRAIN_TIMEOUT_MS,
            ALERT_URL,
            FOLLOW_MODELS);

    /** Copies collections. */
    public QueryConfig {
        indexUrls = List.copyOf(indexUrls);
        apiKeys = Set.copyOf(apiKeys);
        corsOrigins = List.copyOf(corsOrigins);
    }

    /** Reads the configuration, naming the variable and value of anything malformed. */
    public static QueryConfig fromEnv(Env env) {
        List<URI> indexUrls =
                env.get(INDEX_URLS).stream().map(url -> uri(INDEX_URLS, url)).toList();
        if (indexUrls.isEmpty()) {
            throw new ConfigException(INDEX_URLS.name() + " must name at least one index-service URL");
        }
        List<String> keys = env.get(API_KEYS);
        for (String key : keys) {
            if (key.length() < 16) {
                throw new ConfigException(API_KEYS.name() + " holds a key shorter than 16 characters");
            }
        }
        SearchLimits limits;
        try {
            limits = new SearchLimits(
                    env.get(MAX_TEXT_CHARS), env.get(MAX_K), env.get(MAX_CANDIDATES), env.get(DEFAULT_CANDIDATES));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    "CLIP4S_QUERY_MAX_K, _MAX_CANDIDATES and _DEFAULT_CANDIDATES disagree: " + e.getMessage(), e);
        }
        int workers =
                env.get(MODEL_WORKERS) == 0 ? defaultModelWorkers(env.get(MODEL_THREADS)) : env.get(MODEL_WORKERS);
        int queue = env.get(MODEL_QUEUE) == 0 ? workers * DEFAULT_MODEL_QUEUE_PER_WORKER : env.get(MODEL_QUEUE);
        return new QueryConfig(
                env.get(HTTP_PORT),
                env.get(BIND_ADDRESS),
                env.get(MODEL_DIR),
                env.get(MODEL_THREADS),
                env.get(SHORT_TEXT_THREADS),
                indexUrls,
                env.get(INDEX_DISCOVERY).equals("static"),
                env.get(INDEX_API_KEY),
                env.get(INDEX_FRAME_ENCODING),
                env.get(SHARD_TIMEOUT_MS),
                env.get(METADATA_REFRESH_MS),
                Set.copyOf(keys),
                env.get(CORS_ORIGINS),
                env.get(MAX_REQUEST_BYTES),
                env.get(MAX_UPLOAD_MB) * 1024L * 1024L,
                env.get(RATE_LIMIT_PER_SECOND),
                env.get(RATE_LIMIT_BURST),
                limits,
                env.get(RERANK_BATCH),
                env.get(RERANK_BUDGET_MS),
                env.get(TWO_PHASE_GATHER),
                env.get(THUMBNAIL_CACHE),
                uri(INGEST_URL, env.get(INGEST_URL)),
                env.get(INGEST_API_KEY),
                env.get(MEDIA_URL_TEMPLATE).strip().equalsIgnoreCase("none") ? "" : env.get(MEDIA_URL_TEMPLATE),
                new ImageLimits(env.get(MAX_IMAGE_BYTES), env.get(MAX_IMAGE_PIXELS)),
                HttpLimits.fromEnv(env),
                workers,
                queue,
                env.get(ALERT_URL).strip(),
                env.get(FOLLOW_MODELS),
                KafkaClientSettings.fromEnv(env),
                TopicSettings.fromEnv(env).topics());
    }

    private static URI uri(Setting<?> setting, String text) {
        try {
            URI uri = new URI(text.strip());
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new ConfigException(setting.name() + " holds '" + text + "', which is not an http(s) URL");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(setting.name() + " holds a malformed URL '" + text + "'", e);
        }
    }
}
