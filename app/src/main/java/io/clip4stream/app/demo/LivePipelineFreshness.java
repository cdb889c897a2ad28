package io.clip4stream.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.AllInOne;
import io.clip4stream.index.bench.LiveFreshnessBenchmark;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code bench freshness --live --pipeline}: a live MPEG-TS camera on loopback ({@link LiveDemoCamera}) read as a
 * {@code LIVE} source by the whole pipeline in one JVM ({@link AllInOne}: ingest decodes and samples, the encoder
 * embeds, the index assembles and indexes), measuring per frame the time from the camera sending it to a k-NN call on
 * the index-service's HTTP API returning a clip (provisional or closed) that covers the frame's time, and per clip the
 * time from its boundary reaching {@code frame-embeddings} (the record's timestamp) to the closed clip answering.
 */
public final class LivePipelineFreshness {

    private static final String SOURCE = "live-bench";
    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final Duration SLACK = Duration.ofSeconds(90);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final int PROBE_HITS = 4;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MEASURED = "a live MPEG-TS camera on loopback through ingest, encoder and index in one"
            + " JVM; event = the camera sending the frame; boundary = its record's timestamp on frame-embeddings";

    /**
     * What to run.
     *
     * @param frames frames to measure, after the warm-up
     * @param warmupClips whole clips the camera sends first, not measured: the pipeline's start (FFmpeg probing the
     *     stream, consumers joining) is not what a running camera sees
     * @param fps the source's sampling rate (frames per second kept by ingest)
     * @param cameraFps the camera's frame rate, a multiple of {@code fps}: an MPEG-TS demuxer hands a frame on only
     *     when the next one arrives, so a camera at the sampling rate itself adds about two frame periods
     * @param framesPerClip clip window (and stride)
     * @param provisionalEvery {@code CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES}
     * @param refresh the index refresh interval
     * @param modelDir the model every service uses
     * @param work a scratch directory (broker, state, the rendered stream)
     */
    public record Options(
            int frames,
            int warmupClips,
            int fps,
            int cameraFps,
            int framesPerClip,
            int provisionalEvery,
            Duration refresh,
            Path modelDir,
            Path work) {

        /** Validates the options. */
        public Options {
            if (frames < 1 || warmupClips < 0 || fps < 1 || framesPerClip < 1 || provisionalEvery < 0) {
                throw new IllegalArgumentException("frames, fps and framesPerClip must be positive and warmupClips and"
                        + " provisionalEvery >= 0; were " + frames + ", " + fps + ", " + framesPerClip + ", "
                        + warmupClips + ", " + provisionalEvery);
            }
            if (cameraFps < fps || cameraFps % fps != 0) {
                throw new IllegalArgumentException("the camera's frame rate must be a multiple of the sampling rate "
                        + fps + "; was " + cameraFps);
            }
            Objects.requireNonNull(refresh, "refresh");
            Objects.requireNonNull(modelDir, "modelDir");
            Objects.requireNonNull(work, "work");
        }
    }

    private LivePipelineFreshness() {}

    /** Runs the pipeline and the camera, measures, and stops both. */
    public static LiveFreshnessBenchmark.Result run(Options options, PrintWriter progress) throws Exception {
        int sent = options.frames() + options.warmupClips() * options.framesPerClip();
        int scenes = Math.max(1, (int) Math.ceil((double) sent / (DemoWorld.SCENE_SECONDS * options.fps())) + 1);
        List<Scene> rendered = new ArrayList<>();
        for (int i = 0; i < scenes; i++) {
            rendered.add(SampleScenes.scenes(i % SampleScenes.NAMES.size()).get(i % SampleScenes.SCENES_PER_VIDEO));
        }
        Map<String, String> env = new HashMap<>();
        env.put("CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES", Integer.toString(options.provisionalEvery()));
        env.put("CLIP4S_INDEX_REFRESH_MS", Long.toString(options.refresh().toMillis()));
        // The camera is on loopback, which the ingest-service refuses unless told otherwise.
        env.put("CLIP4S_INGEST_ALLOW_PRIVATE_URLS", "true");
        progress.println(
                "rendering the live camera's stream (" + scenes + " scenes at " + options.cameraFps() + " fps)...");
        progress.flush();
        try (LiveDemoCamera camera = new LiveDemoCamera(
                        rendered,
                        options.cameraFps(),
                        1.0,
                        Files.createDirectories(options.work().resolve("camera")));
                AllInOne all = new AllInOne(
                                new AllInOne.Options(0, options.work().resolve("data"), options.modelDir(), 1, 1),
                                env,
                                line -> {
                                    progress.println(line);
                                    progress.flush();
                                })
                        .start()) {
            awaitReady(all);
            Trace trace = new Trace();
            AtomicBoolean stop = new AtomicBoolean();
            Topics topics = Topics.defaults();
            Thread sampled = Thread.ofPlatform()
                    .name("bench-frames")
                    .daemon()
                    .start(() -> watch(all.bootstrapServers(), topics.frames(), stop, (record, millis) -> {
                        if (record.getPayload() instanceof SampledFrame frame) {
                            trace.sampledMillis().putIfAbsent(frame.getFrameIndex(), millis);
                        }
                    }));
            Thread embedded = Thread.ofPlatform()
                    .name("bench-embeddings")
                    .daemon()
                    .start(() -> watch(all.bootstrapServers(), topics.frameEmbeddings(), stop, (record, millis) -> {
                        switch (record.getPayload()) {
                            case FrameEmbedding frame ->
                                trace.embeddedMillis().putIfAbsent(frame.getFrameIndex(), millis);
                            case ClipBoundary boundary ->
                                trace.boundaryMillis().putIfAbsent(boundary.getClipIndex(), millis);
                            default -> {}
                        }
                    }));
            try {
                register(all.ingestUri(), camera.url(), options);
                progress.printf(
                        "pipeline running; live source %s: camera at %d fps sampled at %d fps, %d frames, provisional"
                                + " every %d frames (refresh %d ms)...%n",
                        SOURCE,
                        options.cameraFps(),
                        options.fps(),
                        options.frames(),
                        options.provisionalEvery(),
                        options.refresh().toMillis());
                progress.flush();
                return measure(options, camera, all, trace, progress);
            } finally {
                stop.set(true);
                sampled.join(Duration.ofSeconds(10));
                embedded.join(Duration.ofSeconds(10));
            }
        }
    }

    private static void awaitReady(AllInOne all) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!all.isReady()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the pipeline was not ready within " + STARTUP);
            }
            Thread.sleep(100);
        }
    }

    private static void register(URI ingest, String url, Options options) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sourceId", SOURCE);
        body.put("kind", "LIVE");
        body.put("uri", url);
        body.put("samplingFps", options.fps());
        body.put("clipWindowFrames", options.framesPerClip());
        body.put("clipStrideFrames", options.framesPerClip());
        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(ingest.resolve("/sources"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 202) {
            throw new IllegalStateException(
                    "the ingest-service refused the live source: " + answer.statusCode() + " " + answer.body());
        }
    }

    /**
     * When each frame left ingest ({@code frames}) and the encoder ({@code frame-embeddings}), and when each clip's
     * boundary reached {@code frame-embeddings}: the records' timestamps (their producers' wall clock, this JVM's).
     */
    private record Trace(
            Map<Long, Long> sampledMillis, Map<Long, Long> embeddedMillis, Map<Long, Long> boundaryMillis) {
        Trace() {
            this(new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }
    }

    /** Reads {@code topic} (committed records) from the start until {@code stop}, showing each with its timestamp. */
    private static <V> void watch(
            String bootstrap, Topic<String, V> topic, AtomicBoolean stop, BiConsumer<V, Long> onRecord) {
        Map<String, Object> settings = new HashMap<>(KafkaClientSettings.of(bootstrap)
                .consumer("bench-" + topic.name(), "bench-" + topic.name() + "-" + System.nanoTime()));
        settings.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(
                settings, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            while (!stop.get()) {
                for (ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value() != null) {
                        onRecord.accept(record.value(), record.timestamp());
                    }
                }
            }
        }
    }

    private static LiveFreshnessBenchmark.Result measure(
            Options options, LiveDemoCamera camera, AllInOne all, Trace trace, PrintWriter progress) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI knn = all.indexUri().resolve("/v1/knn");
        float[] probe = new float[all.modelInfo().embedDim()];
        probe[0] = 1;
        int warmup = options.warmupClips() * options.framesPerClip();
        int frames = warmup + options.frames();
        int closedClips = frames / options.framesPerClip();
        long[] eventNanos = new long[frames];
        long[] boundaryNanos = new long[closedClips];
        long framePeriodNanos = 1_000_000_000L / options.fps();
        int frameSeen = 0;
        int boundarySeen = 0;
        long deadline = System.nanoTime() + STARTUP.toNanos() + (long) frames * framePeriodNanos + SLACK.toNanos();
        while (frameSeen < frames || boundarySeen < closedClips) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("frame " + frameSeen + " / clip " + boundarySeen
                        + " of the live source did not become searchable in time (camera started: "
                        + (camera.sendStartNanos() >= 0) + ")");
            }
            long start = camera.sendStartNanos();
            if (start >= 0) {
                long micros = frameSeen * (1_000_000L / options.fps());
                while (frameSeen < frames
                        && System.nanoTime() >= start + frameSeen * framePeriodNanos
                        && covered(http, knn, probe, micros, frameSeen / options.framesPerClip(), false)) {
                    eventNanos[frameSeen] = System.nanoTime() - (start + frameSeen * framePeriodNanos);
                    progress.printf(
                            "frame %d searchable %.0f ms after the camera sent it%n",
                            frameSeen, eventNanos[frameSeen] / 1e6);
                    progress.flush();
                    frameSeen++;
                    micros = frameSeen * (1_000_000L / options.fps());
                }
                Long produced = trace.boundaryMillis().get((long) boundarySeen);
                long lastFrameMicros =
                        ((boundarySeen + 1L) * options.framesPerClip() - 1) * (1_000_000L / options.fps());
                if (boundarySeen < closedClips
                        && produced != null
                        && covered(http, knn, probe, lastFrameMicros, boundarySeen, true)) {
                    boundaryNanos[boundarySeen] = (System.currentTimeMillis() - produced) * 1_000_000L;
                    boundarySeen++;
                }
            }
            Thread.sleep(POLL.toMillis());
        }
        // The camera's clock in wall-clock millis, to set the frames' events against the records' timestamps.
        double sentEpochMillis = System.currentTimeMillis() - (System.nanoTime() - camera.sendStartNanos()) / 1e6;
        long[] measured = Arrays.copyOfRange(eventNanos, warmup, frames);
        Map<String, Double> stages = new LinkedHashMap<>();
        stages.put(
                "p50_ingest_wrote_frame",
                stageMedian(trace.sampledMillis(), sentEpochMillis, framePeriodNanos, warmup, frames));
        stages.put(
                "p50_encoder_wrote_embedding",
                stageMedian(trace.embeddedMillis(), sentEpochMillis, framePeriodNanos, warmup, frames));
        stages.put("p50_searchable", LiveFreshnessBenchmark.Latency.of(measured).p50Millis());
        stages.put("first_frame_searchable_at_start", eventNanos[0] / 1e6);
        return new LiveFreshnessBenchmark.Result(
                options.frames(),
                options.fps(),
                options.provisionalEvery(),
                options.refresh().toMillis(),
                LiveFreshnessBenchmark.Latency.of(measured),
                LiveFreshnessBenchmark.Latency.of(
                        Arrays.copyOfRange(boundaryNanos, Math.min(closedClips, options.warmupClips()), closedClips)),
                MEASURED + "; camera at " + options.cameraFps() + " fps; after " + options.warmupClips()
                        + " warm-up clip(s)",
                stages);
    }

    /** The median over frames {@code [from, to)} of (stage timestamp - the frame's send time), in ms. */
    private static double stageMedian(
            Map<Long, Long> stageMillis, double sentEpochMillis, long framePeriodNanos, int from, int to) {
        long[] nanos = new long[to - from];
        int count = 0;
        for (int n = from; n < to; n++) {
            Long millis = stageMillis.get((long) n);
            if (millis != null) {
                nanos[count++] = (long) ((millis - (sentEpochMillis + n * framePeriodNanos / 1e6)) * 1e6);
            }
        }
        return LiveFreshnessBenchmark.Latency.of(Arrays.copyOf(nanos, count)).p50Millis();
    }

    /** Whether clip {@code clipIndex} answers a k-NN call restricted to source time {@code micros}. */
    private static boolean covered(HttpClient http, URI knn, float[] probe, long micros, long clipIndex, boolean closed)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("vector", probe);
        body.put("k", PROBE_HITS);
        body.put("sourceIds", List.of(SOURCE));
        body.put("fromMicros", micros - 1);
        body.put("toMicros", micros + 1);
        body.put("includeFrameEmbeddings", false);
        body.put("includeThumbnails", false);
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(knn)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("POST /v1/knn answered " + answer.statusCode() + ": " + answer.body());
        }
        for (JsonNode hit : JSON.readTree(answer.body()).path("hits")) {
            if (hit.path("clipIndex").asLong() == clipIndex
                    && (!closed || !hit.path("provisional").asBoolean(false))) {
                return true;
            }
        }
        return false;
    }
}
