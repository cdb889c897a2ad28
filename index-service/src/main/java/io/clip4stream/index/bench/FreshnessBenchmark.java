package io.clip4stream.index.bench;

import io.clip4stream.index.IndexConfig;
import io.clip4stream.index.IndexService;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ReadOnlyClipVectorStore;
import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
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
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * {@code bench freshness}: runs the index service on a broker and measures, clip by clip, the time from producing a
 * clip's boundary record to the clip being returned by a k-NN query on the service's interactive-query store.
 */
public final class FreshnessBenchmark {

    private static final Duration STARTUP = Duration.ofMinutes(2);
    private static final Duration PER_CLIP = Duration.ofSeconds(30);
    private static final int SOURCES = 4;
    private static final Duration POLL = Duration.ofMillis(2);

    /**
     * What to run.
     *
     * @param clips clips to measure (at least 200 for the README figure)
     * @param framesPerClip frames before each boundary
     * @param bootstrapServers the broker
     * @param stateDir where the service keeps its shards
     * @param refreshInterval the index refresh interval under test
     */
    public record Options(
            int clips, int framesPerClip, String bootstrapServers, Path stateDir, Duration refreshInterval) {

        /** Validates the options. */
        public Options {
            if (clips < 1 || framesPerClip < 1) {
                throw new IllegalArgumentException("clips and framesPerClip must be positive");
            }
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(stateDir, "stateDir");
            Objects.requireNonNull(refreshInterval, "refreshInterval");
        }
    }

    /**
     * The figures.
     *
     * @param clips clips measured
     * @param refreshMillis the refresh interval
     * @param p50Millis median time from boundary produced to clip visible
     * @param p95Millis 95th percentile
     * @param maxMillis slowest clip
     * @param meanMillis mean
     */
    public record Result(
            int clips, long refreshMillis, double p50Millis, double p95Millis, double maxMillis, double meanMillis) {}

    /**
     * Something measured beside the index service in the same run, on the same clips (the alert latency benchmark
     * runs the alert service this way, so both figures come from one pipeline under one load).
     */
    public interface Companion {
        /** No companion. */
        Companion NONE = new Companion() {
            @Override
            public AutoCloseable start(String bootstrapServers, String topicPrefix) {
                return () -> {};
            }

            @Override
            public void boundaryProduced(String sourceId, long endMicros, long producedNanos) {}
        };

        /**
         * Starts on the run's topics once the index service runs, before the first clip; the result is closed after
         * the last clip has become searchable, while the index service still runs.
         */
        AutoCloseable start(String bootstrapServers, String topicPrefix) throws Exception;

        /**
         * Called once the boundary of {@code sourceId}'s clip ending at {@code endMicros} (media time) was
         * acknowledged; {@code producedNanos} ({@link System#nanoTime}) is when it was sent.
         */
        void boundaryProduced(String sourceId, long endMicros, long producedNanos);
    }

    private FreshnessBenchmark() {}

    /** Runs the benchmark with {@code model} as the aggregation head. */
    public static Result run(Options options, Clip4ClipModel model, PrintWriter progress) throws Exception {
        return run(options, model, progress, Companion.NONE);
    }

    /** Runs the benchmark with {@code model} as the aggregation head and {@code companion} beside it. */
    public static Result run(Options options, Clip4ClipModel model, PrintWriter progress, Companion companion)
            throws Exception {
        String prefix = "bench-freshness-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        Map<String, String> env = BenchIndexEnvironment.of(
                options.bootstrapServers(), prefix, 2, options.stateDir(), options.refreshInterval());
        IndexConfig config = IndexConfig.fromEnv(new Env(env));
        SyntheticClips clips = new SyntheticClips(
                options.framesPerClip(),
                model.info().embedDim(),
                model.info().modelId(),
                model.info().modelVersion(),
                "bench",
                List.of());
        Topics topics = config.topics();
        long[] nanos = new long[options.clips()];
        try (IndexService service = new IndexService(config, model, null);
                KafkaProducer<String, EmbeddingStreamRecord> producer = new KafkaProducer<>(
                        KafkaClientSettings.of(options.bootstrapServers()).producer("bench-freshness"),
                        topics.frameEmbeddings().keySerde().serializer(),
                        topics.frameEmbeddings().valueSerde().serializer())) {
            service.start();
            ReadOnlyClipVectorStore store = awaitRunning(service);
            measure(options, clips, topics, service, store, producer, nanos, progress, companion, prefix);
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Result(
                options.clips(),
                options.refreshInterval().toMillis(),
                at(sorted, 0.5),
                at(sorted, 0.95),
                sorted[sorted.length - 1] / 1e6,
                Arrays.stream(sorted).average().orElse(0) / 1e6);
    }

    private static void measure(
            Options options,
            SyntheticClips clips,
            Topics topics,
            IndexService service,
            ReadOnlyClipVectorStore store,
            KafkaProducer<String, EmbeddingStreamRecord> producer,
            long[] nanos,
            PrintWriter progress,
            Companion companion,
            String prefix)
            throws Exception {
        try (AutoCloseable beside = companion.start(options.bootstrapServers(), prefix)) {
            progress.printf(
                    "index-service running; measuring %d clips (refresh %d ms)...%n",
                    options.clips(), options.refreshInterval().toMillis());
            progress.flush();
            float[] probe = new float[clips.dimension()];
            probe[0] = 1;
            for (int i = 0; i < options.clips(); i++) {
                String source = "source-" + (i % SOURCES);
                long clipIndex = i / SOURCES;
                for (EmbeddingStreamRecord frame : clips.frames(source, clipIndex)) {
                    producer.send(new ProducerRecord<>(topics.frameEmbeddings().name(), source, frame));
                }
                producer.flush();
                long endMicros = clips.endMicros(clipIndex);
                // Only this clip ends after endMicros - 1 within its source.
                ClipFilter filter = ClipFilter.modelVersion(service.activeModelVersion())
                        .withSourceIds(Set.of(source))
                        .withTimeRange(Optional.of(endMicros - 1), Optional.empty());
                long produced = System.nanoTime();
                producer.send(new ProducerRecord<>(
                                topics.frameEmbeddings().name(), source, clips.boundary(source, clipIndex)))
                        .get();
                companion.boundaryProduced(source, endMicros, produced);
                long deadline = produced + PER_CLIP.toNanos();
                while (store.nearest(probe, 1, filter).isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("clip " + clips.clipId(source, clipIndex)
                                + " did not become searchable within " + PER_CLIP);
                    }
                    // Polling faster would take CPU from the stream and refresher threads being measured.
                    Thread.sleep(POLL.toMillis());
                }
                nanos[i] = System.nanoTime() - produced;
            }
        }
    }

    /** The service's local store once it runs and its shards answer (the live benchmark waits the same way). */
    static ReadOnlyClipVectorStore awaitRunning(IndexService service) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (service.state() == KafkaStreams.State.RUNNING) {
                try {
                    ReadOnlyClipVectorStore store = service.localStore();
                    store.visibleClips();
                    return store;
                } catch (InvalidStateStoreException notYet) {
                    // Tasks are still being assigned or restored.
                }
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the index service did not reach RUNNING within " + STARTUP);
    }

    private static double at(long[] sorted, double fraction) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(fraction * sorted.length))] / 1e6;
    }

    /** The result as a readable table. */
    public static void printTable(Result result, PrintWriter out) {
        out.printf(
                "freshness: boundary produced -> clip returned by a k-NN query, %d clips, refresh %d ms%n",
                result.clips(), result.refreshMillis());
        out.printf("%10s %10s %10s %10s%n", "p50 ms", "p95 ms", "max ms", "mean ms");
        out.printf(
                "%10.1f %10.1f %10.1f %10.1f%n",
                result.p50Millis(), result.p95Millis(), result.maxMillis(), result.meanMillis());
        out.flush();
    }
}
