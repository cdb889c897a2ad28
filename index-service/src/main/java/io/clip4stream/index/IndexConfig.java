package io.clip4stream.index;

import io.clip4stream.index.lucene.HnswSettings;
import io.clip4stream.index.lucene.LuceneClipStore;
import io.clip4stream.index.lucene.ShardSettings;
import io.clip4stream.index.rebuild.ShardRebuild;
import io.clip4stream.index.store.RemovalBudget;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.ModelSettings;
import io.clip4stream.runtime.config.Setting;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.http.HttpLimits;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.topic.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Settings of the index service; every field comes from one {@link Setting} (name, default, description).
 *
 * @param kafka how to reach Kafka
 * @param topicPrefix prefix of every topic name
 * @param partitions partitions of the data topics (the number of index shards)
 * @param replicationFactor replication factor of topics created at start-up
 * @param applicationId Kafka Streams application id (consumer group, changelog prefix)
 * @param stateDir where the stream tasks keep their Lucene indexes
 * @param modelDir the CLIP4Clip model directory whose head aggregates clips
 * @param httpPort port of the query API, health, readiness and metrics
 * @param advertisedHost host name other instances and the query-service use to reach this one
 * @param apiKeys API keys required on query routes; empty disables them
 * @param hnsw HNSW graph settings
 * @param refreshInterval how often new clips become searchable
 * @param luceneCommitInterval minimum time between Lucene commits (each keeps the changelog offsets)
 * @param streamsCommitInterval Kafka Streams commit interval (exactly-once transactions)
 * @param clipTimeout a clip whose boundary does not come within this long after its newest frame is closed anyway
 * @param provisionalEvery every this many frames of a still-open clip, the growing clip is indexed provisionally; 0:
 *     never
 * @param retention per source, clips ending more than this before the source's newest clip expire; zero keeps all
 * @param retentionCheckInterval how often retention is applied
 * @param maintenanceInterval how often each shard runs its removal pass (deletions wait about this long)
 * @param maintenanceBudget most time one removal pass holds the stream thread; the rest waits for the next pass
 * @param maintenanceMaxRemovals most clips one removal pass removes
 * @param rebuildBatch most clips one maintenance pass re-aggregates into a deployed model version (or drops of a
 *     retired one)
 * @param searchThreads threads that search one shard's segments concurrently
 * @param mergeFloorMb segments smaller than this count as this large when Lucene picks merges
 * @param mergeSegmentsPerTier segments of about one size allowed before Lucene merges them
 * @param idleMerge how long without writes before a shard merges down to {@code idleMergeSegments}; zero: never
 * @param idleMergeSegments the segment count of the idle merge
 * @param standbyReplicas standby copies of each shard kept warm on other instances
 * @param streamThreads Kafka Streams threads of this instance
 * @param activeModelVersion model version queries use when they name none; empty means the loaded model's
 * @param http the HTTP server's timeouts and limits (the shared {@code CLIP4S_HTTP_*} settings)
 */
public record IndexConfig(
        KafkaClientSettings kafka,
        String topicPrefix,
        int partitions,
        int replicationFactor,
        String applicationId,
        Path stateDir,
        Path modelDir,
        int httpPort,
        String advertisedHost,
        Set<String> apiKeys,
        HnswSettings hnsw,
        Duration refreshInterval,
        Duration luceneCommitInterval,
        Duration streamsCommitInterval,
        Duration clipTimeout,
        int provisionalEvery,
        Duration retention,
        Duration retentionCheckInterval,
        Duration maintenanceInterval,
        Duration maintenanceBudget,
        int maintenanceMaxRemovals,
        int rebuildBatch,
        int searchThreads,
        double mergeFloorMb,
        double mergeSegmentsPerTier,
        Duration idleMerge,
        int idleMergeSegments,
        int standbyReplicas,
        int streamThreads,
        Optional<String> activeModelVersion,
        HttpLimits http) {

    /** Topic name prefix (shared by every service). */
    public static final Setting<String> TOPIC_PREFIX = TopicSettings.PREFIX;

    /** Partitions of created topics (shared); one index shard per partition. */
    public static final Setting<Integer> TOPIC_PARTITIONS = TopicSettings.PARTITIONS;

    /** Replication factor of created topics (shared). */
    public static final Setting<Integer> TOPIC_REPLICATION = TopicSettings.REPLICATION_FACTOR;

    /** Streams application id. */
    public static final Setting<String> APPLICATION_ID = Setting.string(
            "CLIP4S_INDEX_APPLICATION_ID",
            "clip4stream-index",
            "Kafka Streams application id: the consumer group and the prefix of the changelog topics.");

    /** State directory. */
    public static final Setting<Path> STATE_DIR = Setting.path(
            "CLIP4S_INDEX_STATE_DIR", ".clip4stream/index-state", "Directory of the shards' Lucene indexes.");

    /** Model directory. */
    public static final Setting<Path> MODEL_DIR = ModelSettings.DIRECTORY;

    /** HTTP port. */
    public static final Setting<Integer> HTTP_PORT = Setting.integer(
            "CLIP4S_INDEX_HTTP_PORT", 8083, 0, 65535, "Port of the query API, /health, /ready and /metrics.");

    /** Advertised host. */
    public static final Setting<String> ADVERTISED_HOST = Setting.string(
            "CLIP4S_INDEX_ADVERTISED_HOST",
            "localhost",
            "Host name under which other instances and the query-service reach this instance's HTTP port.");

    /** API keys. */
    public static final Setting<List<String>> API_KEYS = Setting.list(
            "CLIP4S_INDEX_API_KEYS", "", "Comma-separated API keys required on the query routes; empty: no keys.");

    /** HNSW M. */
    public static final Setting<Integer> HNSW_MAX_CONN = Setting.integer(
            "CLIP4S_INDEX_HNSW_M",
            HnswSettings.DEFAULT_MAX_CONN,
            1,
            HnswSettings.MAXIMUM_MAX_CONN,
            "HNSW neighbours per node (M).");

    /** HNSW efConstruction. */
    public static final Setting<Integer> HNSW_BEAM_WIDTH = Setting.integer(
            "CLIP4S_INDEX_HNSW_BEAM_WIDTH",
            HnswSettings.DEFAULT_BEAM_WIDTH,
            1,
            HnswSettings.MAXIMUM_BEAM_WIDTH,
            "HNSW candidates considered while inserting (efConstruction).");

    /** HNSW efSearch. */
    public static final Setting<Integer> HNSW_SEARCH_CANDIDATES = Setting.integer(
            "CLIP4S_INDEX_HNSW_SEARCH_CANDIDATES",
            HnswSettings.DEFAULT_SEARCH_CANDIDATES,
            1,
            HnswSettings.MAXIMUM_SEARCH_CANDIDATES,
            "HNSW candidates kept while searching (efSearch); at least k.");

    /** Vector quantization. */
    public static final Setting<HnswSettings.Quantization> QUANTIZATION = new Setting<>(
            "CLIP4S_INDEX_QUANTIZATION",
            "float32",
            "How the HNSW graph stores vectors: float32, int8, int7, int4, bit2 or bit1 (raw floats are kept as"
                    + " well, and a quantized graph's candidates are rescored with them).",
            HnswSettings.Quantization::parse);

    /** Refresh interval. */
    public static final Setting<Duration> REFRESH_MS = Setting.millis(
            "CLIP4S_INDEX_REFRESH_MS",
            LuceneClipStore.DEFAULT_REFRESH_INTERVAL.toMillis(),
            "How often each shard refreshes its searcher: a new clip is searchable within about this long.");

    /** Lucene commit interval. */
    public static final Setting<Duration> LUCENE_COMMIT_MS = Setting.millis(
            "CLIP4S_INDEX_LUCENE_COMMIT_MS",
            LuceneClipStore.DEFAULT_COMMIT_INTERVAL.toMillis(),
            "Minimum time between Lucene commits; a restart after a crash replays at most this much changelog.");

    /** Streams commit interval. */
    public static final Setting<Duration> STREAMS_COMMIT_MS = Setting.millis(
            "CLIP4S_INDEX_STREAMS_COMMIT_MS", 100, "Kafka Streams commit interval (exactly-once transactions).");

    /** Clip timeout. */
    public static final Setting<Duration> CLIP_TIMEOUT_MS = Setting.millis(
            "CLIP4S_INDEX_CLIP_TIMEOUT_MS",
            60_000,
            "A clip whose boundary has not arrived this long after its newest frame is closed and indexed anyway.");

    /** Provisional clip interval. */
    public static final Setting<Integer> PROVISIONAL_EVERY_FRAMES = Setting.integer(
            "CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES",
            2,
            0,
            1_000,
            "Every this many frames of a clip still open (a live source), the growing clip is indexed provisionally"
                    + " (searchable, flagged provisional, never on the clip-vectors topic) under the key its closed"
                    + " clip replaces; 0: clips become searchable only when they close.");

    /** Retention. */
    public static final Setting<Duration> RETENTION_MS = new Setting<>(
            "CLIP4S_INDEX_RETENTION_MS",
            "0",
            "Per source, clips ending more than this many ms before the source's newest clip expire; 0 keeps all.",
            text -> {
                long value = Long.parseLong(text.strip());
                if (value < 0) {
                    throw new IllegalArgumentException("must be >= 0");
                }
                return Duration.ofMillis(value);
            });

    /** Retention check interval. */
    public static final Setting<Duration> RETENTION_CHECK_MS =
            Setting.millis("CLIP4S_INDEX_RETENTION_CHECK_MS", 10_000, "How often each shard applies retention.");

    /** Maintenance interval. */
    public static final Setting<Duration> MAINTENANCE_MS = Setting.millis(
            "CLIP4S_INDEX_MAINTENANCE_MS",
            500,
            "How often each shard removes what is due (deleted sources, expired clips) in one pass; a deletion takes"
                    + " effect within about this long.");

    /** Maintenance budget. */
    public static final Setting<Duration> MAINTENANCE_BUDGET_MS = Setting.millis(
            "CLIP4S_INDEX_MAINTENANCE_BUDGET_MS",
            50,
            "Most time one removal pass may hold a stream thread; what is left continues at the next pass.");

    /** Maintenance removal bound. */
    public static final Setting<Integer> MAINTENANCE_MAX_REMOVALS = Setting.integer(
            "CLIP4S_INDEX_MAINTENANCE_MAX_REMOVALS",
            10_000,
            1,
            Integer.MAX_VALUE,
            "Most clips one removal pass removes (each is a tombstone in two topics); the rest waits for the next.");

    /** Model-change rebuild batch. */
    public static final Setting<Integer> REBUILD_BATCH = Setting.integer(
            "CLIP4S_INDEX_REBUILD_BATCH",
            ShardRebuild.DEFAULT_BATCH,
            1,
            100_000,
            "Most clips one maintenance pass re-aggregates into a deployed model version, or drops of a retired one;"
                    + " a model change goes on at the next pass.");

    /** Search threads. */
    public static final Setting<Integer> SEARCH_THREADS = Setting.integer(
            "CLIP4S_INDEX_SEARCH_THREADS",
            0,
            0,
            ShardSettings.MAXIMUM_SEARCH_THREADS,
            "Threads per shard that search a query's segments concurrently; 0: one per core, 1: on the caller's"
                    + " thread.");

    /** Merge floor. */
    public static final Setting<Double> MERGE_FLOOR_MB = Setting.positiveDecimal(
            "CLIP4S_INDEX_MERGE_FLOOR_MB",
            ShardSettings.DEFAULT_MERGE_FLOOR_MB,
            "Segments smaller than this (MB) count as this large when merges are chosen, so tiny refresh segments"
                    + " merge early.");

    /** Segments per tier. */
    public static final Setting<Double> MERGE_SEGMENTS_PER_TIER = Setting.positiveDecimal(
            "CLIP4S_INDEX_MERGE_SEGMENTS_PER_TIER",
            ShardSettings.DEFAULT_SEGMENTS_PER_TIER,
            "Segments of about one size allowed before they are merged (at least 2); fewer means fewer HNSW graphs"
                    + " per query but more merging.");

    /** Idle merge delay. */
    public static final Setting<Duration> IDLE_MERGE_MS = new Setting<>(
            "CLIP4S_INDEX_IDLE_MERGE_MS",
            Long.toString(ShardSettings.DEFAULT_IDLE_MERGE_AFTER.toMillis()),
            "When a shard has had no write for this long, it merges down to CLIP4S_INDEX_IDLE_MERGE_SEGMENTS in the"
                    + " background (once per idle period; fewer HNSW graphs per query); 0: never.",
            text -> {
                long value = Long.parseLong(text.strip());
                if (value < 0) {
                    throw new IllegalArgumentException("must be >= 0");
                }
                return Duration.ofMillis(value);
            });

    /** Idle merge target. */
    public static final Setting<Integer> IDLE_MERGE_SEGMENTS = Setting.integer(
            "CLIP4S_INDEX_IDLE_MERGE_SEGMENTS",
            ShardSettings.DEFAULT_IDLE_MERGE_SEGMENTS,
            1,
            1_000,
            "Segments a shard's idle merge merges down to.");

    /** Standby replicas. */
    public static final Setting<Integer> STANDBY_REPLICAS = Setting.integer(
            "CLIP4S_INDEX_STANDBY_REPLICAS",
            0,
            0,
            8,
            "Standby copies of each shard kept up to date on other instances for fast failover.");

    /** Stream threads. */
    public static final Setting<Integer> STREAM_THREADS =
            Setting.integer("CLIP4S_INDEX_STREAM_THREADS", 1, 1, 64, "Kafka Streams threads of this instance.");

    /** Active model version. */
    public static final Setting<String> ACTIVE_MODEL_VERSION = Setting.string(
            "CLIP4S_INDEX_ACTIVE_MODEL_VERSION",
            "",
            "Model version queries use when they name none; empty: the version of the model in CLIP4S_MODEL_DIR.");

    /** Every setting, in documentation order. */
    public static final List<Setting<?>> SETTINGS = List.of(
            TOPIC_PREFIX,
            TOPIC_PARTITIONS,
            TOPIC_REPLICATION,
            APPLICATION_ID,
            STATE_DIR,
            MODEL_DIR,
            ModelSettings.NAME,
            ModelSettings.OFFLINE,
            HTTP_PORT,
            ADVERTISED_HOST,
            API_KEYS,
            HNSW_MAX_CONN,
            HNSW_BEAM_WIDTH,
            HNSW_SEARCH_CANDIDATES,
            QUANTIZATION,
            REFRESH_MS,
            LUCENE_COMMIT_MS,
            STREAMS_COMMIT_MS,
            CLIP_TIMEOUT_MS,
            PROVISIONAL_EVERY_FRAMES,
            RETENTION_MS,
            RETENTION_CHECK_MS,
            MAINTENANCE_MS,
            MAINTENANCE_BUDGET_MS,
            MAINTENANCE_MAX_REMOVALS,
            REBUILD_BATCH,
            SEARCH_THREADS,
            MERGE_FLOOR_MB,
            MERGE_SEGMENTS_PER_TIER,
            IDLE_MERGE_MS,
            IDLE_MERGE_SEGMENTS,
            STANDBY_REPLICAS,
            STREAM_THREADS,
            ACTIVE_MODEL_VERSION,
            HttpLimits.READ_TIMEOUT_MS,
            HttpLimits.IDLE_TIMEOUT_MS,
            HttpLimits.MAX_HEADER_BYTES,
            HttpLimits.MAX_CONCURRENT_REQUESTS,
            HttpLimits.DRAIN_TIMEOUT_MS);

    /** Validates the settings. */
    public IndexConfig {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(applicationId, "applicationId");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(advertisedHost, "advertisedHost");
        apiKeys = Set.copyOf(apiKeys);
        Objects.requireNonNull(hnsw, "hnsw");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        Objects.requireNonNull(luceneCommitInterval, "luceneCommitInterval");
        Objects.requireNonNull(streamsCommitInterval, "streamsCommitInterval");
        Objects.requireNonNull(clipTimeout, "clipTimeout");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(retentionCheckInterval, "retentionCheckInterval");
        Objects.requireNonNull(maintenanceInterval, "maintenanceInterval");
        Objects.requireNonNull(maintenanceBudget, "maintenanceBudget");
        Objects.requireNonNull(activeModelVersion, "activeModelVersion");
        Objects.requireNonNull(idleMerge, "idleMerge");
        if (partitions < 1 || standbyReplicas < 0 || streamThreads < 1) {
            throw new IllegalArgumentException("invalid index config: partitions " + partitions + ", standby replicas "
                    + standbyReplicas + ", stream threads " + streamThreads);
        }
        if (maintenanceInterval.isNegative()
                || maintenanceInterval.isZero()
                || maintenanceBudget.isNegative()
                || maintenanceBudget.isZero()) {
            throw new IllegalArgumentException("the maintenance interval and budget must be positive; were "
                    + maintenanceInterval + ", " + maintenanceBudget);
        }
        if (mergeSegmentsPerTier < 2) {
            throw new IllegalArgumentException(
                    "CLIP4S_INDEX_MERGE_SEGMENTS_PER_TIER must be >= 2; was " + mergeSegmentsPerTier);
        }
        if (provisionalEvery < 0) {
            throw new IllegalArgumentException(
                    "CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES must be >= 0; was " + provisionalEvery);
        }
        if (retention.isNegative()) {
            throw new IllegalArgumentException("CLIP4S_INDEX_RETENTION_MS must be >= 0; was " + retention.toMillis());
        }
    }

    /** Reads every setting from {@code env}. */
    public static IndexConfig fromEnv(Env env) {
        String active = env.get(ACTIVE_MODEL_VERSION).strip();
        return new IndexConfig(
                KafkaClientSettings.fromEnv(env),
                env.get(TOPIC_PREFIX),
                env.get(TOPIC_PARTITIONS),
                env.get(TOPIC_REPLICATION),
                env.get(APPLICATION_ID),
                env.get(STATE_DIR),
                env.get(MODEL_DIR),
                env.get(HTTP_PORT),
                env.get(ADVERTISED_HOST),
                Set.copyOf(env.get(API_KEYS)),
                new HnswSettings(
                        env.get(HNSW_MAX_CONN),
                        env.get(HNSW_BEAM_WIDTH),
                        env.get(HNSW_SEARCH_CANDIDATES),
                        env.get(QUANTIZATION)),
                env.get(REFRESH_MS),
                env.get(LUCENE_COMMIT_MS),
                env.get(STREAMS_COMMIT_MS),
                env.get(CLIP_TIMEOUT_MS),
                env.get(PROVISIONAL_EVERY_FRAMES),
                env.get(RETENTION_MS),
                env.get(RETENTION_CHECK_MS),
                env.get(MAINTENANCE_MS),
                env.get(MAINTENANCE_BUDGET_MS),
                env.get(MAINTENANCE_MAX_REMOVALS),
                env.get(REBUILD_BATCH),
                env.get(SEARCH_THREADS),
                env.get(MERGE_FLOOR_MB),
                env.get(MERGE_SEGMENTS_PER_TIER),
                env.get(IDLE_MERGE_MS),
                env.get(IDLE_MERGE_SEGMENTS),
                env.get(STANDBY_REPLICAS),
                env.get(STREAM_THREADS),
                active.isEmpty() ? Optional.empty() : Optional.of(active),
                HttpLimits.fromEnv(env));
    }

    /** How each shard's Lucene index refreshes, searches and merges; 0 search threads means one per core. */
    public ShardSettings shard() {
        int threads = searchThreads == 0
                ? Math.min(
                        ShardSettings.MAXIMUM_SEARCH_THREADS,
                        Runtime.getRuntime().availableProcessors())
                : searchThreads;
        return new ShardSettings(
                refreshInterval, threads, mergeFloorMb, mergeSegmentsPerTier, idleMerge, idleMergeSegments);
    }

    /** What one removal pass may do on a stream thread. */
    public RemovalBudget removalBudget() {
        return new RemovalBudget(maintenanceMaxRemovals, maintenanceBudget);
    }

    /** The topic catalog under this config's prefix and partition count. */
    public Topics topics() {
        return Topics.withPrefix(topicPrefix, partitions);
    }

    /** A copy with another state directory (tests run several instances side by side). */
    public IndexConfig withStateDir(Path dir) {
        return new IndexConfig(
                kafka,
                topicPrefix,
                partitions,
                replicationFactor,
                applicationId,
                dir,
                modelDir,
                httpPort,
                advertisedHost,
                apiKeys,
                hnsw,
                refreshInterval,
                luceneCommitInterval,
                streamsCommitInterval,
                clipTimeout,
                provisionalEvery,
                retention,
                retentionCheckInterval,
                maintenanceInterval,
                maintenanceBudget,
                maintenanceMaxRemovals,
                rebuildBatch,
                searchThreads,
                mergeFloorMb,
                mergeSegmentsPerTier,
                idleMerge,
                idleMergeSegments,
                standbyReplicas,
                streamThreads,
                activeModelVersion,
                http);
    }
}
