package io.clip4stream.encoder;

import io.clip4stream.model.ModelOptions;
import io.clip4stream.runtime.config.ConfigException;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.ModelSettings;
import io.clip4stream.runtime.config.Setting;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.http.HttpLimits;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.topic.Topics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything the encoder service is configured with, read from environment variables (the Kafka and topic settings
 * shared by every service, plus the encoder's own {@link #SETTINGS}).
 *
 * @param kafka how to reach Kafka
 * @param topicSettings topic prefix, and partitions and replicas of topics created at start-up
 * @param modelDir the CLIP4Clip model directory (config.json + weights.safetensors)
 * @param device where the visual encoder runs
 * @param intraOpThreads libtorch intra-op threads
 * @param maxBatchFrames most frames embedded in one forward pass (and one transaction)
 * @param maxWait longest time a frame waits for its batch to fill
 * @param maxPendingFrames frames read but not yet embedded at which the consumer is paused
 * @param commitInterval longest time finished outputs wait in an open transaction
 * @param groupId the consumer group shared by all encoder instances
 * @param instanceId this instance's stable id; the transactional id is {@code groupId-instanceId}
 * @param httpPort port of /health, /ready and /metrics (0 picks a free one)
 * @param staticScene which sources the static-scene gate applies to, and its threshold ({@link
 *     StaticSceneGate.Policy#OFF}: none)
 * @param http the HTTP server's timeouts and limits (the shared {@code CLIP4S_HTTP_*} settings)
 */
public record EncoderConfig(
        KafkaClientSettings kafka,
        TopicSettings topicSettings,
        Path modelDir,
        ModelOptions.DeviceChoice device,
        int intraOpThreads,
        int maxBatchFrames,
        Duration maxWait,
        int maxPendingFrames,
        Duration commitInterval,
        String groupId,
        String instanceId,
        int httpPort,
        StaticSceneGate.Policy staticScene,
        HttpLimits http) {

    /** The model directory. */
    public static final Setting<Path> MODEL_DIR = ModelSettings.DIRECTORY;

    /** Device choice. */
    public static final Setting<ModelOptions.DeviceChoice> DEVICE = new Setting<>(
            "CLIP4S_ENCODER_DEVICE",
            "auto",
            "auto (a GPU when DJL finds a CUDA libtorch and a GPU, else the CPU), cpu or gpu.",
            text -> ModelOptions.DeviceChoice.valueOf(text.strip().toUpperCase(Locale.ROOT)));

    /** libtorch intra-op threads. */
    public static final Setting<Integer> THREADS = Setting.integer(
            "CLIP4S_ENCODER_THREADS",
            ModelOptions.defaults().intraOpThreads(),
            1,
            256,
            "libtorch intra-op threads; default half the cores, 1 to 4 (more oversubscribes small machines).");

    /** Batch size. */
    public static final Setting<Integer> MAX_BATCH = Setting.integer(
            "CLIP4S_ENCODER_MAX_BATCH",
            16,
            1,
            4096,
            "Most frames per forward pass and per Kafka transaction, across sources.");

    /** Batch wait. */
    public static final Setting<Duration> MAX_WAIT =
            Setting.millis("CLIP4S_ENCODER_MAX_WAIT_MS", 50, "Longest time in ms a frame waits for its batch to fill.");

    /** Backpressure bound. */
    public static final Setting<Integer> MAX_PENDING = Setting.integer(
            "CLIP4S_ENCODER_MAX_PENDING_FRAMES",
            0,
            0,
            1 << 20,
            "Frames read but not yet embedded at which the consumer pauses; 0 means 2 x the max batch.");

    /** Commit interval. */
    public static final Setting<Duration> COMMIT_INTERVAL = Setting.millis(
            "CLIP4S_ENCODER_COMMIT_INTERVAL_MS",
            100,
            "Longest time in ms finished batches wait in an open transaction; committed at once when idle.");

    /** Consumer group. */
    public static final Setting<String> GROUP_ID = Setting.string(
            "CLIP4S_ENCODER_GROUP_ID", "clip4stream-encoder", "Consumer group shared by all encoder instances.");

    /** Instance id. */
    public static final Setting<String> INSTANCE_ID = Setting.string(
            "CLIP4S_ENCODER_INSTANCE_ID",
            "",
            "Stable, unique id of this instance (transactional id suffix); default $HOSTNAME, else the host name.");

    /** HTTP port. */
    public static final Setting<Integer> HTTP_PORT =
            Setting.integer("CLIP4S_ENCODER_HTTP_PORT", 8082, 0, 65535, "Port of /health, /ready and /metrics.");

    /** Sources under the static-scene gate. */
    public static final Setting<List<String>> STATIC_SCENE_SOURCES = Setting.list(
            "CLIP4S_ENCODER_STATIC_SCENE_SOURCES",
            "",
            "Source ids whose nearly unchanged frames reuse the embedding of the source's last encoded frame instead of"
                    + " running the model (comma-separated; * for every source; empty: the gate is off). Reused frames are"
                    + " marked reused in the frame-embedding record.");

    /** Static-scene threshold. */
    public static final Setting<Double> STATIC_SCENE_THRESHOLD = Setting.positiveDecimal(
            "CLIP4S_ENCODER_STATIC_SCENE_THRESHOLD",
            StaticSceneGate.Policy.DEFAULT_THRESHOLD,
            "Largest mean absolute difference of a frame's CLIP-normalised pixels from the source's last encoded frame"
                    + " that still reuses its embedding (one 8-bit level is about 0.015).");

    /** Every setting, for documentation. */
    public static final List<Setting<?>> SETTINGS = List.of(
            MODEL_DIR,
            ModelSettings.NAME,
            ModelSettings.OFFLINE,
            DEVICE,
            THREADS,
            MAX_BATCH,
            MAX_WAIT,
            MAX_PENDING,
            COMMIT_INTERVAL,
            GROUP_ID,
            INSTANCE_ID,
            HTTP_PORT,
            STATIC_SCENE_SOURCES,
            STATIC_SCENE_THRESHOLD,
            HttpLimits.READ_TIMEOUT_MS,
            HttpLimits.IDLE_TIMEOUT_MS,
            HttpLimits.MAX_HEADER_BYTES,
            HttpLimits.MAX_CONCURRENT_REQUESTS,
            HttpLimits.DRAIN_TIMEOUT_MS);

    /** Validates the configuration. */
    public EncoderConfig {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(topicSettings, "topicSettings");
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(maxWait, "maxWait");
        Objects.requireNonNull(commitInterval, "commitInterval");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(staticScene, "staticScene");
        Objects.requireNonNull(http, "http");
        if (maxBatchFrames < 1 || intraOpThreads < 1) {
            throw new ConfigException(
                    "max batch and threads must be >= 1; got " + maxBatchFrames + " and " + intraOpThreads);
        }
        if (maxPendingFrames < maxBatchFrames) {
            throw new ConfigException(MAX_PENDING.name() + " (" + maxPendingFrames + ") must be at least "
                    + MAX_BATCH.name() + " (" + maxBatchFrames + ")");
        }
        if (groupId.isBlank() || instanceId.isBlank()) {
            throw new ConfigException(GROUP_ID.name() + " and " + INSTANCE_ID.name() + " must not be blank");
        }
    }

    /** Reads the configuration; the instance id falls back to {@code HOSTNAME}, then to the local host name. */
    public static EncoderConfig fromEnv(Env env) {
        int maxBatch = env.get(MAX_BATCH);
        int maxPending = env.get(MAX_PENDING);
        String instanceId = env.get(INSTANCE_ID);
        if (instanceId.isBlank()) {
            instanceId = env.variables().getOrDefault("HOSTNAME", "");
        }
        if (instanceId.isBlank()) {
            instanceId = localHostName();
        }
        return new EncoderConfig(
                KafkaClientSettings.fromEnv(env),
                TopicSettings.fromEnv(env),
                env.get(MODEL_DIR),
                env.get(DEVICE),
                env.get(THREADS),
                maxBatch,
                env.get(MAX_WAIT),
                maxPending == 0 ? 2 * maxBatch : maxPending,
                env.get(COMMIT_INTERVAL),
                env.get(GROUP_ID),
                instanceId,
                env.get(HTTP_PORT),
                new StaticSceneGate.Policy(
                        java.util.Set.copyOf(env.get(STATIC_SCENE_SOURCES).stream()
                                .map(String::strip)
                                .filter(id -> !id.isEmpty())
                                .toList()),
                        env.get(STATIC_SCENE_THRESHOLD)),
                HttpLimits.fromEnv(env));
    }

    /** A configuration without the static-scene gate (every frame encoded), with the default HTTP limits. */
    public EncoderConfig(
            KafkaClientSettings kafka,
            TopicSettings topicSettings,
            Path modelDir,
            ModelOptions.DeviceChoice device,
            int intraOpThreads,
            int maxBatchFrames,
            Duration maxWait,
            int maxPendingFrames,
            Duration commitInterval,
            String groupId,
            String instanceId,
            int httpPort) {
        this(
                kafka,
                topicSettings,
                modelDir,
                device,
                intraOpThreads,
                maxBatchFrames,
                maxWait,
                maxPendingFrames,
                commitInterval,
                groupId,
                instanceId,
                httpPort,
                StaticSceneGate.Policy.OFF,
                HttpLimits.DEFAULTS);
    }

    /** A copy applying the static-scene gate {@code policy}. */
    public EncoderConfig withStaticScene(StaticSceneGate.Policy policy) {
        return new EncoderConfig(
                kafka,
                topicSettings,
                modelDir,
                device,
                intraOpThreads,
                maxBatchFrames,
                maxWait,
                maxPendingFrames,
                commitInterval,
                groupId,
                instanceId,
                httpPort,
                policy,
                http);
    }

    /** The topic catalog this instance reads and writes. */
    public Topics topics() {
        return topicSettings.topics();
    }

    /** The transactional id: stable across restarts of this instance, unique within the group. */
    public String transactionalId() {
        return groupId + "-" + instanceId;
    }

    /** The model options matching this configuration: batches of {@link #maxBatchFrames} in one forward pass. */
    public ModelOptions modelOptions() {
        return new ModelOptions(device, intraOpThreads, maxBatchFrames);
    }

    /** A copy with another instance id (for running several instances in one process). */
    public EncoderConfig withInstanceId(String id) {
        return new EncoderConfig(
                kafka,
                topicSettings,
                modelDir,
                device,
                intraOpThreads,
                maxBatchFrames,
                maxWait,
                maxPendingFrames,
                commitInterval,
                groupId,
                id,
                httpPort,
                staticScene,
                http);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new ConfigException(
                    INSTANCE_ID.name() + " is unset and the host name cannot be resolved; set it explicitly", e);
        }
    }
}
