package io.clip4stream.query.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks every index instance in parallel (one virtual thread each), waits for each at most the per-shard timeout, and
 * merges what came back; an instance that fails or is too slow makes the result partial, never silently smaller.
 */
public final class ScatterGather implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScatterGather.class);

    private final ShardDirectory directory;
    private final ShardClient client;
    private final Duration shardTimeout;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    /** Gathers from the instances {@code directory} names through {@code client}, each within {@code shardTimeout}. */
    public ScatterGather(ShardDirectory directory, ShardClient client, Duration shardTimeout) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.client = Objects.requireNonNull(client, "client");
        this.shardTimeout = Objects.requireNonNull(shardTimeout, "shardTimeout");
    }

    /**
     * Gathers the global top {@code query.n()} candidates.
     *
     * @throws ShardException when no instance can be discovered at all
     */
    public Gathered gather(CandidateQuery query) {
        ShardLayout layout = directory.layout();
        long started = System.nanoTime();
        List<Future<ShardAnswer>> calls = new ArrayList<>();
        for (IndexInstance instance : layout.instances()) {
            calls.add(executor.submit(() -> client.candidates(instance, query, shardTimeout)));
        }
        long deadline = started + shardTimeout.toNanos();
        List<ShardReport> reports = new ArrayList<>();
        List<List<Candidate>> answers = new ArrayList<>();
        Map<String, Long> searchableUpTo = new HashMap<>();
        Map<String, Long> perVersion = new HashMap<>();
        boolean failed = false;
        for (int i = 0; i < calls.size(); i++) {
            IndexInstance instance = layout.instances().get(i);
            Future<ShardAnswer> call = calls.get(i);
            String uri = instance.baseUri().toString();
            try {
                ShardAnswer answer = call.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                answers.add(answer.candidates());
                answer.searchableUpToMicros().forEach((source, upTo) -> searchableUpTo.merge(source, upTo, Math::max));
                answer.clipsPerModelVersion().forEach((version, n) -> perVersion.merge(version, n, Long::sum));
                List<Integer> partitions = answer.partitions().isEmpty() ? instance.partitions() : answer.partitions();
                reports.add(new ShardReport(
                        uri, partitions, ShardReport.OK, answer.candidates().size(), millisSince(started), null));
            } catch (TimeoutException e) {
                call.cancel(true);
                failed = true;
                reports.add(new ShardReport(
                        uri,
                        instance.partitions(),
                        ShardReport.TIMEOUT,
                        0,
                        millisSince(started),
                        "no answer within " + shardTimeout.toMillis() + " ms"));
            } catch (ExecutionException e) {
                failed = true;
                Throwable cause = e.getCause() == null ? e : e.getCause();
                LOG.warn("Index instance {} failed: {}", uri, cause.toString());
                reports.add(new ShardReport(
                        uri, instance.partitions(), ShardReport.FAILED, 0, millisSince(started), cause.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                calls.forEach(c -> c.cancel(true));
                throw new ShardException("interrupted while gathering candidates", e);
            }
        }
        if (failed) {
            // The layout may be stale (an instance died or partitions moved): look again on the next query.
            directory.invalidate();
        }
        boolean partial = failed
                || !layout.unservedPartitions().isEmpty()
                || layout.instances().isEmpty();
        return new Gathered(
                CandidateMerger.merge(answers, query.n()),
                reports,
                searchableUpTo,
                layout.unservedPartitions(),
                partial,
                perVersion);
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
