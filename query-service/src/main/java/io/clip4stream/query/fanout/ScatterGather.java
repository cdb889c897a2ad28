package io.clip4stream.query.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 *
 * <p>Two-phase (the default): instances return ids and first-stage scores only, and {@link #withFrames} then fetches
 * frame embeddings for the global top candidates that will be re-ranked, from an instance that returned each. One
 * phase (for index-services older than {@code POST /v1/frames}): every instance ships each of its candidates with all
 * its frames, and the frames of candidates outside the global top are thrown away.
 */
public final class ScatterGather implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScatterGather.class);

    private final ShardDirectory directory;
    private final ShardClient client;
    private final Duration shardTimeout;
    private final boolean twoPhase;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    /** Gathers in two phases from the instances {@code directory} names, each within {@code shardTimeout}. */
    public ScatterGather(ShardDirectory directory, ShardClient client, Duration shardTimeout) {
        this(directory, client, shardTimeout, true);
    }

    /**
     * Gathers from the instances {@code directory} names through {@code client}, each within {@code shardTimeout}; in
     * two phases when {@code twoPhase}, else with every candidate's frames in the first answer.
     */
    public ScatterGather(ShardDirectory directory, ShardClient client, Duration shardTimeout, boolean twoPhase) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.client = Objects.requireNonNull(client, "client");
        this.shardTimeout = Objects.requireNonNull(shardTimeout, "shardTimeout");
        this.twoPhase = twoPhase;
    }

    /**
     * Gathers the global top {@code query.n()} candidates.
     *
     * @throws ShardException when no instance can be discovered at all
     */
    public Gathered gather(CandidateQuery query) {
        ShardLayout layout = directory.layout();
        long started = System.nanoTime();
        boolean deferFrames = twoPhase && query.withFrameEmbeddings();
        CandidateQuery asked = deferFrames
                ? new CandidateQuery(
                        query.vector(),
                        query.n(),
                        query.filters(),
                        query.modelVersion(),
                        false,
                        query.excludeClipIds(),
                        query.excludeSourceIds())
                : query;
        List<Future<ShardAnswer>> calls = new ArrayList<>();
        for (IndexInstance instance : layout.instances()) {
            calls.add(executor.submit(() -> client.candidates(instance, asked, shardTimeout)));
        }
        Map<String, IndexInstance> holders = new HashMap<>();
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
                answer.candidates().forEach(c -> holders.putIfAbsent(c.clipId(), instance));
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
        List<Candidate> merged = CandidateMerger.merge(answers, query.n());
        Map<String, IndexInstance> mergedHolders = new HashMap<>();
        merged.forEach(c -> mergedHolders.put(c.clipId(), holders.get(c.clipId())));
        return new Gathered(
                merged,
                reports,
                searchableUpTo,
                layout.unservedPartitions(),
                partial,
                mergedHolders,
                deferFrames,
                perVersion);
    }

    /**
     * The gathered candidates, the first {@code count} of them with their frame embeddings: fetched from the instances
     * that returned them (one request per instance, in parallel) when the gather deferred them, else as gathered.
     * A candidate whose instance fails, is too slow or no longer holds it stays without frames (the caller does not
     * re-rank it).
     */
    public List<Candidate> withFrames(Gathered gathered, int count, String modelVersion) {
        List<Candidate> candidates = gathered.candidates();
        int wanted = Math.min(Math.max(0, count), candidates.size());
        if (!gathered.framesDeferred() || wanted == 0) {
            return candidates;
        }
        Map<IndexInstance, List<String>> byInstance = new LinkedHashMap<>();
        for (Candidate c : candidates.subList(0, wanted)) {
            IndexInstance holder = gathered.holders().get(c.clipId());
            if (holder != null) {
                byInstance.computeIfAbsent(holder, h -> new ArrayList<>()).add(c.clipId());
            }
        }
        long deadline = System.nanoTime() + shardTimeout.toNanos();
        Map<IndexInstance, Future<Map<String, float[][]>>> calls = new LinkedHashMap<>();
        byInstance.forEach((instance, ids) ->
                calls.put(instance, executor.submit(() -> client.frames(instance, ids, modelVersion, shardTimeout))));
        Map<String, float[][]> frames = new HashMap<>();
        for (Map.Entry<IndexInstance, Future<Map<String, float[][]>>> call : calls.entrySet()) {
            try {
                frames.putAll(call.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                call.getValue().cancel(true);
                LOG.warn(
                        "Index instance {} sent no frames within {} ms",
                        call.getKey().baseUri(),
                        shardTimeout.toMillis());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                LOG.warn(
                        "Index instance {} failed to send frames: {}",
                        call.getKey().baseUri(),
                        cause.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                calls.values().forEach(c -> c.cancel(true));
                throw new ShardException("interrupted while fetching frame embeddings", e);
            }
        }
        List<Candidate> filled = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            float[][] f = i < wanted ? frames.get(c.clipId()) : null;
            filled.add(f == null ? c : c.withFrameEmbeddings(f));
        }
        return filled;
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
