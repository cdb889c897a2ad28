package io.clip4stream.ingest.kafka;

import io.clip4stream.ingest.run.FrameSink;
import io.clip4stream.ingest.run.RunListener;
import io.clip4stream.ingest.run.RunSettings;
import io.clip4stream.ingest.run.SourceRun;
import io.clip4stream.ingest.source.ResolvedSource;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.topic.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs sources on this instance: file sources on a bounded pool, live sources on a thread each; at most one run per
 * source id at a time.
 */
public final class SourceRunner implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceRunner.class);

    private final KafkaClientSettings kafka;
    private final Topics topics;
    private final String instanceId;
    private final RunSettings settings;
    private final RunListener listener;
    private final Function<Map<String, Object>, Producer<byte[], byte[]>> producers;
    private final ExecutorService files;
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    private record Running(SourceRun run, CompletableFuture<SourceRun.Result> result, Thread liveThread) {}

    /** A runner writing through Kafka transactions. */
    public SourceRunner(
            KafkaClientSettings kafka,
            Topics topics,
            String instanceId,
            RunSettings settings,
            RunListener listener,
            int maxConcurrentFiles) {
        this(kafka, topics, instanceId, settings, listener, maxConcurrentFiles, KafkaFrameSink.KAFKA_PRODUCERS);
    }

    /** A runner whose sinks write through producers made by {@code producers} (given the full producer config). */
    public SourceRunner(
            KafkaClientSettings kafka,
            Topics topics,
            String instanceId,
            RunSettings settings,
            RunListener listener,
            int maxConcurrentFiles,
            Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        this.kafka = kafka;
        this.producers = producers;
        this.topics = topics;
        this.instanceId = instanceId;
        this.settings = settings;
        this.listener = listener;
        this.files = Executors.newFixedThreadPool(maxConcurrentFiles, named("ingest-file-"));
    }

    /** Starts {@code request} unless a run of the same source is active; returns the run's result. */
    public CompletableFuture<SourceRun.Result> start(IngestRequest request, ResolvedSource source) {
        return start(request, source, null);
    }

    /**
     * Starts {@code request} unless a run of the same source is active, saying {@code resumeNote} (why an earlier run
     * stopped; null for none) in its first status; returns the run's result.
     */
    public synchronized CompletableFuture<SourceRun.Result> start(
            IngestRequest request, ResolvedSource source, String resumeNote) {
        String id = request.getSourceId();
        CompletableFuture<SourceRun.Result> result = new CompletableFuture<>();
        Running existing = running.get(id);
        if (existing != null) {
            LOG.info("Source {} is already running here; the new request waits for it", id);
            return existing.result();
        }
        FrameSink sink = sink(request);
        SourceRun run = new SourceRun(request, source, sink, settings, listener, resumeNote);
        Runnable body = () -> {
            try (sink) {
                result.complete(run.run());
            } catch (RuntimeException | Error e) {
                LOG.error("Run of {} crashed", id, e);
                result.completeExceptionally(e);
            } finally {
                running.remove(id);
            }
        };
        if (source.live()) {
            Thread thread = named("ingest-live-").newThread(body);
            running.put(id, new Running(run, result, thread));
            thread.start();
        } else {
            running.put(id, new Running(run, result, null));
            files.execute(body);
        }
        return result;
    }

    /** Stops the run of {@code sourceId} (deleting the source when asked) and waits for it to finish. */
    public Optional<SourceRun.Result> stop(String sourceId, boolean delete, Duration wait) {
        Running r = running.get(sourceId);
        if (r == null) {
            return Optional.empty();
        }
        r.run().stop(delete);
        try {
            return Optional.of(r.result().get(wait.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("Run of {} did not stop cleanly within {}", sourceId, wait, e);
            return Optional.empty();
        }
    }

    /**
     * Stops the runs of {@code sourceIds} (without deleting them) and waits for them together: all are told first,
     * then each waits only for what is left of one {@code wait}, so that many stalled live streams cost one read
     * timeout, not one each.
     */
    public void stopAll(Collection<String> sourceIds, Duration wait) {
        List<String> ids = List.copyOf(sourceIds);
        for (String id : ids) {
            Running r = running.get(id);
            if (r != null) {
                r.run().stop(false);
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        for (String id : ids) {
            stop(id, false, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    /** Whether a run of {@code sourceId} is active here. */
    public boolean isRunning(String sourceId) {
        return running.containsKey(sourceId);
    }

    /** Number of active runs. */
    public int active() {
        return running.size();
    }

    @Override
    public void close() {
        files.shutdown();
        // A run blocked in a native read notices the stop when the read times out (rw_timeout = the read timeout).
        Duration wait = settings.decoder().readTimeout().plusSeconds(10);
        long deadline = System.nanoTime() + wait.toNanos();
        stopAll(running.keySet(), wait);
        try {
            files.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private FrameSink sink(IngestRequest request) {
        double clipSeconds = request.getClipWindowFrames() / request.getSamplingFps();
        // A transaction spans one clip; a live clip takes window / fps seconds to arrive, plus slack. Brokers cap it
        // at transaction.max.timeout.ms (15 min by default).
        long millis =
                Math.min(Duration.ofMinutes(15).toMillis(), Math.max(60_000, (long) (clipSeconds * 2_000) + 30_000));
        return new KafkaFrameSink(
                kafka, topics, instanceId, request.getSourceId(), Duration.ofMillis(millis), producers);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
