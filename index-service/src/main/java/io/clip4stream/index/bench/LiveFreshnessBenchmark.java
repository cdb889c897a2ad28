package io.clip4stream.index.bench;

import io.clip4stream.index.IndexConfig;
import io.clip4stream.index.IndexService;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.store.ReadOnlyClipVectorStore;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.topic.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * {@code bench freshness --live}: one live source at {@code fps} frames per second, fed in real time as frame
 * embeddings into the index service on a broker (the records the encoder service would write, so decoding and
 * encoding are not in the figure), measuring per frame the time from the frame being produced to a k-NN query
 * returning a clip (provisional or closed) that covers the frame's time, and per clip the time from its boundary
 * being produced to the closed clip answering, both from the same run.
 */
public final class LiveFreshnessBenchmark {

    private static final String SOURCE = "live-0";
    private static final Duration PER_FRAME = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(5);
    private static final int PROBE_HITS = 4;

    /**
     * What to run.
     *
     * @param frames frames to produce (and measure)
     * @param fps frames per second of the live source
     * @param framesPerClip frames of each clip window (stride equals window, as the ingest default)
     * @param provisionalEvery the index service's {@code CLIP4S_INDEX_PROVISIONAL_EVERY_FRAMES} (0: off)
     * @param bootstrapServers the broker
     * @param stateDir where the service keeps its shards
     * @param refreshInterval the index refresh interval
     */
    public record Options(
            int frames,
            double fps,
            int framesPerClip,
            int provisionalEvery,
            String bootstrapServers,
            Path stateDir,
            Duration refreshInterval) {

        /** Validates the options. */
        public Options {
            if (frames < 1 || framesPerClip < 1 || provisionalEvery < 0 || !(fps > 0)) {
                throw new IllegalArgumentException("frames, fps and framesPerClip must be positive and"
                        + " provisionalEvery >= 0; were " + frames + ", " + fps + ", " + framesPerClip + ", "
                        + provisionalEvery);
            }
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(refreshInterval, "refreshInterval");
        }
    }

    /**
     * Percentiles of one latency, in milliseconds.
     *
     * @param count samples
     * @param p50Millis median
     * @param p95Millis 95th percentile
     * @param maxMillis slowest
     */
    public record Latency(int count, double p50Millis, double p95Millis, double maxMillis) {

        /** The percentiles of {@code nanos} (nearest rank). */
        public static Latency of(long[] nanos) {
            if (nanos.length == 0) {
                return new Latency(0, Double.NaN, Double.NaN, Double.NaN);
            }
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            return new Latency(sorted.length, at(sorted, 0.5), at(sorted, 0.95), sorted[sorted.length - 1] / 1e6);
        }

        private static double at(long[] sorted, double fraction) {
            int rank = (int) Math.ceil(fraction * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
        }
    }

    /**
     * The figures.
     *
     * @param frames frames measured
     * @param fps the source's frame rate
     * @param provisionalEvery the provisional interval the service ran with
     * @param refreshMillis the refresh interval
     * @param eventToSearchable frame produced to a covering clip answering a query
     * @param boundaryToSearchable boundary produced to the closed clip answering a query
     * @param measured what ran and where each time starts, in words
     * @param stages named figures of the pipeline's stages in ms (e.g. the median time from the event to the frame
     *     leaving a stage); empty when only the index ran
     */
    public record Result(
            int frames,
            double fps,
            int provisionalEvery,
            long refreshMillis,
            Latency eventToSearchable,
            Latency boundaryToSearchable,
            String measured,
            Map<String, Double> stages) {

        /** Copies the stages. */
        public Result {
            // Kept in the caller's order (the pipeline's stages in sequence).
            stages = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(stages));
        }

        /** What this benchmark measures (frame embeddings into the index service). */
        public static final String EMBEDDINGS = "frame embeddings produced in real time into the index service on a"
                + " broker (no decoding or encoding); event = the frame record produced";
    }

    private LiveFreshnessBenchmark() {}

    /** Runs the benchmark with {@code model} as the aggregation head. */
    public static Result run(Options options, Clip4ClipModel model, PrintWriter progress) throws Exception {
        String prefix = "bench-live-freshness-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Map<String, String> env = BenchIndexEnvironment.of(
                options.bootstrapServers(), prefix, 1, options.stateDir(), options.refreshInterval());
        env.put(IndexConfig.PROVISIONAL_EVERY_FRAMES.name(), Integer.toString(options.provisionalEvery()));
        IndexConfig config = IndexConfig.fromEnv(new Env(env));
        SyntheticClips clips = new SyntheticClips(
                options.framesPerClip(),
                model.info().embedDim(),
                model.info().modelId(),
                model.info().modelVersion(),
                "bench",
                List.of());
        Topics topics = config.topics();
        try (IndexService service = new IndexService(config, model, null);
                KafkaProducer<String, EmbeddingStreamRecord> producer = new KafkaProducer<>(
                        KafkaClientSettings.of(options.bootstrapServers()).producer("bench-live-freshness"),
                        topics.frameEmbeddings().keySerde().serializer(),
                        topics.frameEmbeddings().valueSerde().serializer())) {
            service.start();
            ReadOnlyClipVectorStore store = FreshnessBenchmark.awaitRunning(service);
            progress.printf(
                    "index-service running; one live source at %.2f fps, %d frames, provisional every %d frames"
                            + " (refresh %d ms)...%n",
                    options.fps(),
                    options.frames(),
                    options.provisionalEvery(),
                    options.refreshInterval().toMillis());
            progress.flush();
            return measure(options, clips, topics, service.activeModelVersion(), store, producer);
        }
    }

    private static Result measure(
            Options options,
            SyntheticClips clips,
            Topics topics,
            String modelVersion,
            ReadOnlyClipVectorStore store,
            KafkaProducer<String, EmbeddingStreamRecord> producer)
            throws Exception {
        String topic = topics.frameEmbeddings().name();
        int frames = options.frames();
        long framePeriodNanos = (long) (1e9 / options.fps());
        long[] frameProduced = new long[frames];
        long[] frameMicros = new long[frames];
        long[] eventNanos = new long[frames];
        // A last, partial clip stays open, as a live stream's would; its frames are measured all the same.
        int closedClips = frames / options.framesPerClip();
        long[] boundaryProduced = new long[closedClips];
        long[] boundaryNanos = new long[closedClips];
        float[] probe = new float[clips.dimension()];
        probe[0] = 1;
        ClipFilter source = ClipFilter.modelVersion(modelVersion).withSourceIds(Set.of(SOURCE));
        int nextFrame = 0;
        int nextBoundary = 0;
        int frameSeen = 0;
        int boundarySeen = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (frames / options.fps() * 1e9) + PER_FRAME.toNanos();
        // One thread produces on schedule and polls in between, so the poller never competes with a producer thread.
        while (frameSeen < frames || boundarySeen < closedClips) {
            long now = System.nanoTime();
            if (now > deadline) {
                throw new IllegalStateException("frame " + frameSeen + " / boundary " + boundarySeen
                        + " of the live source did not become searchable within " + PER_FRAME);
            }
            if (nextFrame < frames && now >= start + nextFrame * framePeriodNanos) {
                long clipIndex = nextFrame / options.framesPerClip();
                int offset = nextFrame % options.framesPerClip();
                EmbeddingStreamRecord frame = clips.frames(SOURCE, clipIndex).get(offset);
                frameMicros[nextFrame] = ((FrameEmbedding) frame.getPayload()).getPresentationTimeMicros();
                frameProduced[nextFrame] = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, SOURCE, frame));
                producer.flush();
                if (offset == options.framesPerClip() - 1) {
                    // The ingest service writes a clip's boundary right after its last frame.
                    boundaryProduced[nextBoundary] = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, SOURCE, clips.boundary(SOURCE, clipIndex)));
                    producer.flush();
                    nextBoundary++;
                }
                nextFrame++;
                continue;
            }
            while (frameSeen < nextFrame
                    && covered(
                            store, probe, source, frameMicros[frameSeen], frameSeen / options.framesPerClip(), false)) {
                eventNanos[frameSeen] = System.nanoTime() - frameProduced[frameSeen];
                frameSeen++;
            }
            while (boundarySeen < nextBoundary
                    && covered(store, probe, source, clips.endMicros(boundarySeen) - 1, boundarySeen, true)) {
                boundaryNanos[boundarySeen] = System.nanoTime() - boundaryProduced[boundarySeen];
                boundarySeen++;
            }
            // Polling faster would take CPU from the stream and refresher threads being measured.
            Thread.sleep(POLL.toMillis());
        }
        return new Result(
                frames,
                options.fps(),
                options.provisionalEvery(),
                options.refreshInterval().toMillis(),
                Latency.of(eventNanos),
                Latency.of(boundaryNanos),
                Result.EMBEDDINGS,
                Map.of());
    }

    /**
     * Whether clip {@code clipIndex}, holding source time {@code micros}, answers a k-NN query restricted to that time;
     * {@code closed}: only once closed. The clip index is checked because a neighbour's exclusive end touches the time.
     */
    private static boolean covered(
            ReadOnlyClipVectorStore store,
            float[] probe,
            ClipFilter source,
            long micros,
            long clipIndex,
            boolean closed) {
        ClipFilter filter = source.withTimeRange(Optional.of(micros - 1), Optional.of(micros + 1));
        for (ClipHit hit : store.nearest(probe, PROBE_HITS, filter)) {
            if (hit.clip().getClipIndex() == clipIndex
                    && (!closed || !hit.clip().getProvisional())) {
                return true;
            }
        }
        return false;
    }

    /** The agreed JSON object: {@code event_to_searchable}, {@code boundary_to_searchable}, {@code frames}, extras. */
    public static Map<String, Object> toJson(Result result) {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("event_to_searchable", latencyJson(result.eventToSearchable()));
        json.put("boundary_to_searchable", latencyJson(result.boundaryToSearchable()));
        json.put("frames", result.frames());
        json.put("clips", result.boundaryToSearchable().count());
        json.put("fps", result.fps());
        json.put("provisional_every_frames", result.provisionalEvery());
        json.put("refresh_ms", result.refreshMillis());
        json.put("measured", result.measured());
        if (!result.stages().isEmpty()) {
            json.put("stages_ms", result.stages());
        }
        return json;
    }

    private static Map<String, Object> latencyJson(Latency latency) {
        Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("p50_ms", latency.p50Millis());
        json.put("p95_ms", latency.p95Millis());
        json.put("max_ms", latency.maxMillis());
        json.put("count", latency.count());
        return json;
    }

    /** The result as a readable table. */
    public static void printTable(Result result, PrintWriter out) {
        out.printf(
                "freshness --live: one source at %.2f fps, %d frames, provisional every %d frames, refresh %d ms%n",
                result.fps(), result.frames(), result.provisionalEvery(), result.refreshMillis());
        out.printf("%-36s %6s %10s %10s %10s%n", "", "n", "p50 ms", "p95 ms", "max ms");
        row(out, "frame produced -> searchable", result.eventToSearchable());
        row(out, "boundary produced -> closed clip", result.boundaryToSearchable());
        result.stages().forEach((stage, millis) -> out.printf("  %-34s %10.1f ms%n", stage, millis));
        out.println("(" + result.measured() + ")");
        out.flush();
    }

    private static void row(PrintWriter out, String name, Latency latency) {
        out.printf(
                "%-36s %6d %10.1f %10.1f %10.1f%n",
                name, latency.count(), latency.p50Millis(), latency.p95Millis(), latency.maxMillis());
    }
}
