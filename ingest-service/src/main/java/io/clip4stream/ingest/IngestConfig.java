package io.clip4stream.ingest;

import io.clip4stream.model.spec.ModelConfig;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.model.weights.ModelDirectory;
import io.clip4stream.runtime.config.ConfigException;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.ModelSettings;
import io.clip4stream.runtime.config.Setting;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.http.HttpLimits;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.topic.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything the ingest service reads from its environment; each field comes from one {@link Setting} below.
 *
 * @param kafka Kafka connection
 * @param topicSettings topic prefix, partitions and replication (shared by every service)
 * @param httpPort HTTP port (0 picks a free one)
 * @param apiKeys API keys required on the API routes; empty leaves them open
 * @param root directory local paths must lie under
 * @param uploadDir directory uploads are streamed to before they are checked
 * @param mediaDir directory uploads are kept in (until their source is deleted) and path sources are recorded in
 * @param maxUploadBytes largest accepted upload
 * @param maxUrlBytes largest video fetched from a URL
 * @param allowPrivateUrls whether URLs may target loopback, private and link-local addresses
 * @param framePreparation how sampled frames are resized and cropped: the model's preprocessing, read from config.json
 *     when {@code CLIP4S_MODEL_DIR} is set, otherwise from the ingest settings (frames sent downstream are
 *     {@code cropSize} x {@code cropSize} RGB)
 * @param samplingFps default sampled frames per second
 * @param clipWindow default frames per clip
 * @param clipStride default frames between clip starts
 * @param thumbnailSize longest side of clip thumbnails in pixels
 * @param maxConcurrentFiles file/URL sources decoded at once by this instance
 * @param readTimeout how long a read may block before a stream or growing file counts as ended
 * @param liveRetry pause before reconnecting a live stream that ended or failed
 * @param liveCommitEveryFrames a live source also commits every this many frames of a clip still open, so its frames
 *     reach the encoder (and the index's provisional clips) before the clip closes; 0: once per clip
 * @param retryBackoff pause before running a file request again whose run a Kafka failure cut short (doubling)
 * @param retryBackoffMax longest such pause
 * @param skipNonReference let FFmpeg skip non-reference frames when decoding
 * @param groupId consumer group of the request workers; live sources use {@code groupId + "-live"}
 * @param instanceId this instance's name in client ids
 * @param http the HTTP server's timeouts and limits (its body limit is raised to {@code maxUploadBytes})
 */
public record IngestConfig(
        KafkaClientSettings kafka,
        TopicSettings topicSettings,
        int httpPort,
        List<String> apiKeys,
        Path root,
        Path uploadDir,
        Path mediaDir,
        long maxUploadBytes,
        long maxUrlBytes,
        boolean allowPrivateUrls,
        Preprocessing framePreparation,
        double samplingFps,
        int clipWindow,
        int clipStride,
        int thumbnailSize,
        int maxConcurrentFiles,
        Duration readTimeout,
        Duration liveRetry,
        int liveCommitEveryFrames,
        Duration retryBackoff,
        Duration retryBackoffMax,
        boolean skipNonReference,
        String groupId,
        String instanceId,
        HttpLimits http) {

    /** HTTP port. */
    public static final Setting<Integer> HTTP_PORT =
            Setting.integer("CLIP4S_INGEST_HTTP_PORT", 8081, 0, 65535, "HTTP port of the ingest API (0 = any free).");

    /** API keys. */
    public static final Setting<List<String>> API_KEYS = Setting.list(
            "CLIP4S_INGEST_API_KEYS",
            "",
            "Comma-separated API keys (16+ characters) required on the API; empty = open.");

    /** Root of local paths. */
    public static final Setting<Path> ROOT = Setting.path(
            "CLIP4S_INGEST_ROOT", "media", "Directory that local paths (and growing live files) must lie under.");

    /** Upload directory. */
    public static final Setting<Path> UPLOAD_DIR = Setting.path(
            "CLIP4S_INGEST_UPLOAD_DIR",
            ".clip4stream/uploads",
            "Directory uploads are streamed to before they are checked.");

    /** Media directory. */
    public static final Setting<Path> MEDIA_DIR = Setting.path(
            "CLIP4S_INGEST_MEDIA_DIR",
            ".clip4stream/playback",
            "Directory uploaded videos are kept in for playback (GET /sources/{id}/media) until their source is"
                    + " deleted.");

    /** Upload size limit. */
    public static final Setting<Long> MAX_UPLOAD_BYTES =
            bytes("CLIP4S_INGEST_MAX_UPLOAD_BYTES", 2L << 30, "Largest accepted upload in bytes (larger: HTTP 413).");

    /** URL download limit. */
    public static final Setting<Long> MAX_URL_BYTES =
            bytes("CLIP4S_INGEST_MAX_URL_BYTES", 4L << 30, "Largest video read from an http(s) URL, in bytes.");

    /** SSRF switch. */
    public static final Setting<Boolean> ALLOW_PRIVATE_URLS = Setting.bool(
            "CLIP4S_INGEST_ALLOW_PRIVATE_URLS",
            false,
            "Allow URLs and streams on loopback, private, link-local and unique-local addresses (cameras on a LAN).");

    /** Model input size. */
    public static final Setting<Integer> FRAME_SIZE = Setting.integer(
            "CLIP4S_INGEST_FRAME_SIZE",
            224,
            16,
            1024,
            "Side of the square frames sent downstream (the centre crop); must match the model the encoder runs.");

    /** Short side before the crop. */
    public static final Setting<Integer> RESIZE_SIZE = Setting.integer(
            "CLIP4S_INGEST_RESIZE_SIZE",
            0,
            0,
            4096,
            "Short side frames are resized to before the centre crop; 0 = the frame size (CLIP's way). Set it as the"
                    + " model's config.json records (MMAction2's CLIP4Clip: 256).");

    /** Resize filter. */
    public static final Setting<String> INTERPOLATION = Setting.string(
            "CLIP4S_INGEST_INTERPOLATION",
            "bicubic",
            "Resize filter, Pillow's bicubic (CLIP's) or bilinear (MMAction2's CLIP4Clip), as the model's config.json"
                    + " records.");

    /** Default sampling rate. */
    public static final Setting<Double> FPS = Setting.positiveDecimal(
            "CLIP4S_INGEST_FPS", 1.0, "Default sampled frames per second of presentation time (CLIP4Clip: 1).");

    /** Default window. */
    public static final Setting<Integer> WINDOW =
            Setting.integer("CLIP4S_INGEST_CLIP_WINDOW", 12, 1, 1024, "Default frames per clip.");

    /** Default stride. */
    public static final Setting<Integer> STRIDE = Setting.integer(
            "CLIP4S_INGEST_CLIP_STRIDE",
            0,
            0,
            1024,
            "Default frames between clip starts; 0 = the window (no overlap).");

    /** Thumbnail size. */
    public static final Setting<Integer> THUMBNAIL_SIZE = Setting.integer(
            "CLIP4S_INGEST_THUMBNAIL_SIZE", 96, 16, 512, "Side in pixels of the JPEG thumbnail in each clip boundary.");

    /** Concurrency of file sources. */
    public static final Setting<Integer> MAX_CONCURRENT = Setting.integer(
            "CLIP4S_INGEST_MAX_CONCURRENT", 2, 1, 256, "File, URL and upload sources decoded at once per instance.");

    /** Read timeout. */
    public static final Setting<Duration> READ_TIMEOUT = Setting.millis(
            "CLIP4S_INGEST_READ_TIMEOUT_MS",
            10_000,
            "How long a read may block before a stream, URL or growing file counts as ended.");

    /** Live reconnect pause. */
    public static final Setting<Duration> LIVE_RETRY = Setting.millis(
            "CLIP4S_INGEST_LIVE_RETRY_MS", 2_000, "Pause before reconnecting a live stream that ended or failed.");

    /** Live commit interval. */
    public static final Setting<Integer> LIVE_COMMIT_EVERY_FRAMES = Setting.integer(
            "CLIP4S_INGEST_LIVE_COMMIT_EVERY_FRAMES",
            1,
            0,
            10_000,
            "A live source commits its Kafka transaction (frames and a status) also every this many frames of a clip"
                    + " still open, so downstream reads its frames before the clip closes (the index's provisional"
                    + " clips need them); 0: once per clip, as file sources do.");

    /** First pause before re-running an interrupted file request. */
    public static final Setting<Duration> RETRY_BACKOFF = Setting.millis(
            "CLIP4S_INGEST_RETRY_BACKOFF_MS",
            1_000,
            "Pause before running a file request again whose run a Kafka failure cut short; doubles per attempt.");

    /** Longest pause before re-running an interrupted file request. */
    public static final Setting<Duration> RETRY_BACKOFF_MAX = Setting.millis(
            "CLIP4S_INGEST_RETRY_BACKOFF_MAX_MS",
            60_000,
            "Longest pause between attempts of an interrupted file request (attempts never stop).");

    /** Skip non-reference frames. */
    public static final Setting<Boolean> SKIP_NONREF = Setting.bool(
            "CLIP4S_INGEST_SKIP_NONREF",
            false,
            "Let FFmpeg skip non-reference frames (faster for sparse sampling; samples may move by one frame).");

    /** Consumer group. */
    public static final Setting<String> GROUP_ID = Setting.string(
            "CLIP4S_INGEST_GROUP_ID",
            "clip4stream-ingest",
            "Consumer group shared by ingest instances (live sources use <group>-live).");

    /** Instance name. */
    public static final Setting<String> INSTANCE_ID = Setting.string(
            "CLIP4S_INGEST_INSTANCE_ID", "", "Name of this instance in Kafka client ids; empty = random.");

    /** Every setting of this service, in documentation order (the shared Kafka and topic settings are not listed). */
    public static final List<Setting<?>> SETTINGS = List.of(
            HTTP_PORT,
            API_KEYS,
            ROOT,
            UPLOAD_DIR,
            MEDIA_DIR,
            MAX_UPLOAD_BYTES,
            MAX_URL_BYTES,
            ALLOW_PRIVATE_URLS,
            FRAME_SIZE,
            RESIZE_SIZE,
            INTERPOLATION,
            ModelSettings.DIRECTORY,
            ModelSettings.NAME,
            ModelSettings.OFFLINE,
            FPS,
            WINDOW,
            STRIDE,
            THUMBNAIL_SIZE,
            MAX_CONCURRENT,
            READ_TIMEOUT,
            LIVE_RETRY,
            LIVE_COMMIT_EVERY_FRAMES,
            RETRY_BACKOFF,
            RETRY_BACKOFF_MAX,
            SKIP_NONREF,
            GROUP_ID,
            INSTANCE_ID,
            HttpLimits.READ_TIMEOUT_MS,
            HttpLimits.IDLE_TIMEOUT_MS,
            HttpLimits.MAX_HEADER_BYTES,
            HttpLimits.MAX_CONCURRENT_REQUESTS,
            HttpLimits.DRAIN_TIMEOUT_MS);

    /** Validates the combination. */
    public IngestConfig {
        Objects.requireNonNull(kafka, "kafka");
        Objects.requireNonNull(topicSettings, "topicSettings");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(uploadDir, "uploadDir");
        Objects.requireNonNull(mediaDir, "mediaDir");
        Objects.requireNonNull(framePreparation, "framePreparation");
        apiKeys = List.copyOf(apiKeys);
        if (retryBackoffMax.compareTo(retryBackoff) < 0) {
            throw new IllegalArgumentException(RETRY_BACKOFF_MAX.name() + " (" + retryBackoffMax.toMillis()
                    + " ms) must not be below " + RETRY_BACKOFF.name() + " (" + retryBackoff.toMillis() + " ms)");
        }
        if (clipStride < 1 || clipStride > clipWindow) {
            throw new IllegalArgumentException(
                    STRIDE.name() + " must be between 1 and the window (" + clipWindow + "); was " + clipStride);
        }
    }

    private static Preprocessing framePreparation(Env env) {
        int cropSize = env.get(FRAME_SIZE);
        int resizeSize = env.get(RESIZE_SIZE);
        Preprocessing configured;
        try {
            configured = new Preprocessing(
                    resizeSize == 0 ? cropSize : resizeSize,
                    env.get(INTERPOLATION).strip(),
                    cropSize,
                    "clip");
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    FRAME_SIZE.name() + ", " + RESIZE_SIZE.name() + " and " + INTERPOLATION.name() + ": "
                            + e.getMessage(),
                    e);
        }
        Optional<Preprocessing> recorded = recordedPreparation(env);
        if (recorded.isEmpty()) {
            return configured;
        }
        // Settings given explicitly must agree with the model; those left out follow it.
        Preprocessing model = recorded.get();
        boolean agrees = (!isSet(env, FRAME_SIZE) || cropSize == model.cropSize())
                && (!isSet(env, RESIZE_SIZE) || resizeSize == 0 || resizeSize == model.resizeSize())
                && (!isSet(env, INTERPOLATION) || configured.interpolation().equals(model.interpolation()));
        if (!agrees) {
            throw new ConfigException(FRAME_SIZE.name() + ", " + RESIZE_SIZE.name() + " and " + INTERPOLATION.name()
                    + " say " + configured.describe() + ", but the model in " + ModelSettings.DIRECTORY.name()
                    + " was trained with " + model.describe() + "; leave them unset to follow the model");
        }
        return model;
    }

    private static boolean isSet(Env env, Setting<?> setting) {
        String value = env.variables().get(setting.name());
        return value != null && !value.isBlank();
    }

    /** The preprocessing that config.json of the model directory records, when the directory is configured. */
    private static Optional<Preprocessing> recordedPreparation(Env env) {
        if (!isSet(env, ModelSettings.DIRECTORY)) {
            return Optional.empty();
        }
        Path config = env.get(ModelSettings.DIRECTORY).resolve(ModelDirectory.CONFIG_FILE);
        try {
            // Only config.json: ingest never loads the weights.
            return ModelConfig.fromJson(Files.readString(config)).preprocessing();
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(
                    ModelSettings.DIRECTORY.name() + ": cannot read the model's " + config + ": " + e.getMessage(), e);
        }
    }

    /** Reads every setting from {@code env}. */
    public static IngestConfig fromEnv(Env env) {
        int window = env.get(WINDOW);
        int stride = env.get(STRIDE);
        String instance = env.get(INSTANCE_ID);
        return new IngestConfig(
                KafkaClientSettings.fromEnv(env),
                TopicSettings.fromEnv(env),
                env.get(HTTP_PORT),
                env.get(API_KEYS),
                env.get(ROOT),
                env.get(UPLOAD_DIR),
                env.get(MEDIA_DIR),
                env.get(MAX_UPLOAD_BYTES),
                env.get(MAX_URL_BYTES),
                env.get(ALLOW_PRIVATE_URLS),
                framePreparation(env),
                env.get(FPS),
                window,
                stride == 0 ? window : stride,
                env.get(THUMBNAIL_SIZE),
                env.get(MAX_CONCURRENT),
                env.get(READ_TIMEOUT),
                env.get(LIVE_RETRY),
                env.get(LIVE_COMMIT_EVERY_FRAMES),
                env.get(RETRY_BACKOFF),
                env.get(RETRY_BACKOFF_MAX),
                env.get(SKIP_NONREF),
                env.get(GROUP_ID),
                instance.isBlank() ? "ingest-" + UUID.randomUUID().toString().substring(0, 8) : instance,
                HttpLimits.fromEnv(env));
    }

    /** The topic catalog under this config's prefix. */
    public Topics topics() {
        return topicSettings.topics();
    }

    private static Setting<Long> bytes(String name, long defaultValue, String description) {
        return new Setting<>(name, Long.toString(defaultValue), description, text -> {
            long value = Long.parseLong(text.strip());
            if (value < 1) {
                throw new IllegalArgumentException("must be a positive number of bytes");
            }
            return value;
        });
    }
}
