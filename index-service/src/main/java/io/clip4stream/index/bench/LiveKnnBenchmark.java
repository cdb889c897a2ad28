package io.clip4stream.index.bench;

import io.clip4stream.index.bench.KnnBenchmark.SearchFigures;
import io.clip4stream.index.lucene.HnswSettings;
import io.clip4stream.index.lucene.LuceneClipStore;
import io.clip4stream.index.lucene.MergeCounters;
import io.clip4stream.index.lucene.ShardSettings;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bench knn --live}: the index as it runs. Vectors arrive through the store's put at a fixed rate on their own
 * thread (as a stream task's) while the store's own refresher makes them visible at its configured interval, its
 * merge policy merges and, once ingest stops, its idle merge compacts; queries run back to back meanwhile, each scored
 * against an exact search over the vectors visible to it (see {@link LiveSearchMeter}).
 */
public final class LiveKnnBenchmark {

    /** Ingest progress windows the live queries are reported in. */
    static final int WINDOWS = 10;

    /** Most queries timed right after ingest, before the idle merge starts. */
    static final int AFTER_INGEST_QUERIES = 200;

    private static final long SAMPLE_MILLIS = 1_000;
    private static final long POLL_MILLIS = 20;
    private static final Duration COMMIT_INTERVAL = Duration.ofHours(1);

    /**
     * What to run.
     *
     * @param count vectors streamed in
     * @param dimension their dimension
     * @param queries distinct held-out queries, cycled through
     * @param k neighbours per query
     * @param rate vectors put per second
     * @param settledQueries queries timed in each state after ingest (as built: at most {@value #AFTER_INGEST_QUERIES})
     * @param workDir where the index is built (deleted afterwards)
     * @param settings the HNSW settings
     * @param shard refresh interval, search threads, merge policy and idle merge, as the service's
     * @param seed seed of the synthetic vectors
     * @param mergeWaitLimit how long to wait for the idle merge before giving up on that state
     * @param sweep further efSearch values: live blocks take turns between the configured value and these, and the
     *     idle-merged index is measured with each
     */
    public record Options(
            int count,
            int dimension,
            int queries,
            int k,
            double rate,
            int settledQueries,
            Path workDir,
            HnswSettings settings,
            ShardSettings shard,
            long seed,
            Duration mergeWaitLimit,
            List<Integer> sweep) {

        /** Validates the options. */
        public Options {
            if (count < 1 || dimension < 1 || queries < 1 || k < 1 || settledQueries < 1) {
                throw new IllegalArgumentException(
                        "count, dimension, queries, k and the queries after ingest must be" + " positive");
            }
            if (!(rate > 0)) {
                throw new IllegalArgumentException("the rate must be positive; was " + rate);
            }
            Objects.requireNonNull(workDir, "workDir");
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(shard, "shard");
            Objects.requireNonNull(mergeWaitLimit, "mergeWaitLimit");
            sweep = List.copyOf(sweep);
            if (sweep.stream().anyMatch(candidates -> candidates < 1)) {
                throw new IllegalArgumentException("every efSearch of the sweep must be positive; was " + sweep);
            }
        }

        /** The configured efSearch first, then the sweep's values it does not repeat. */
        List<Integer> searchCandidates() {
            List<Integer> all = new ArrayList<>();
            all.add(settings.searchCandidates());
            sweep.stream().filter(candidates -> !all.contains(candidates)).forEach(all::add);
            return List.copyOf(all);
        }
    }

    /**
     * The live queries of one stretch of ingest.
     *
     * @param clipsFrom vectors put when the stretch began
     * @param clipsTo vectors put when it ended
     * @param figures its search figures (segments: at its last block); null when no query was scored in it
     */
    public record Window(long clipsFrom, long clipsTo, SearchFigures figures) {}

    /**
     * The index at one moment.
     *
     * @param seconds since ingest began
     * @param clips vectors put
     * @param visible vectors queries could see
     * @param segments segments queries searched
     * @param merges merges finished so far
     * @param mergeSeconds their total time
     */
    public record Sample(double seconds, long clips, long visible, int segments, long merges, double mergeSeconds) {}

    /**
     * The fastest efSearch of one state whose recall reaches {@link KnnBenchmark#RECALL_TARGET}.
     *
     * @param state {@code live} or {@code idleMerged}
     * @param searchCandidates the efSearch
     * @param figures its figures
     */
    public record OperatingPoint(String state, int searchCandidates, SearchFigures figures) {}

    /**
     * Every figure of a live run. Each measured state ({@code live}, each window, {@code afterIngest},
     * {@code idleMerged}) has the figure object of {@code bench knn}: recall, qps, exactQps, segments.
     *
     * @param vectors vectors streamed in
     * @param dimension their dimension
     * @param k neighbours per query
     * @param rate rate asked for, vectors per second
     * @param achievedRate rate achieved
     * @param ingestSeconds time to put every vector
     * @param refreshMillis the refresher's interval
     * @param settings the HNSW settings
     * @param shard the shard settings (merge policy, idle merge)
     * @param data where the vectors came from
     * @param live every query during ingest at the configured efSearch
     * @param windows the live queries at the configured efSearch by stretch of ingest
     * @param liveSweep the live queries at each further efSearch (blocks take turns with the configured one)
     * @param lastWindowSweep the live queries of the last stretch of ingest (the index at its final tenth, which is
     *     what "live at N" means) at every efSearch, the configured one first
     * @param queries live queries run
     * @param scoredQueries live queries scored and timed (the others raced a refresh or saw fewer than k vectors)
     * @param afterIngest the index right after the last put, before any idle merge
     * @param idleMerged the index after its idle merge; null when off or not done within the wait limit
     * @param idleMergedSweep the idle-merged index at each further efSearch
     * @param best per state ({@code live}, {@code liveLastWindow}, {@code idleMerged}), the efSearch reaching the
     *     recall target at the highest speed-up over the exact scan timed alongside; a state is missing when none
     *     reached it
     * @param idleMergeWaitSeconds from the last put until the idle merge's segments were visible (includes the idle
     *     delay); 0 when there was none
     * @param idleMergeSeconds merge-thread time of the merges after ingest
     * @param merges merges finished during ingest
     * @param mergeSeconds their total merge-thread time
     * @param segmentsOverTime a sample every second
     * @param cores available processors
     */
    public record Result(
            int vectors,
            int dimension,
            int k,
            double rate,
            double achievedRate,
            double ingestSeconds,
            long refreshMillis,
            String settings,
            String shard,
            String data,
            SearchFigures live,
            List<Window> windows,
            List<KnnBenchmark.SweepPoint> liveSweep,
            List<KnnBenchmark.SweepPoint> lastWindowSweep,
            int queries,
            int scoredQueries,
            SearchFigures afterIngest,
            SearchFigures idleMerged,
            List<KnnBenchmark.SweepPoint> idleMergedSweep,
            List<OperatingPoint> best,
            double idleMergeWaitSeconds,
            double idleMergeSeconds,
            long merges,
            double mergeSeconds,
            List<Sample> segmentsOverTime,
            int cores) {}

    private LiveKnnBenchmark() {}

    /** Runs the benchmark, printing progress to {@code progress}. */
    public static Result run(Options options, PrintWriter progress) throws IOException {
        progress.printf(
                "generating %d embedding-like %d-d vectors...%n",
                options.count() + options.queries(), options.dimension());
        progress.flush();
        float[][] all = EmbeddingLikeVectors.synthetic(
                options.count() + options.queries(), options.dimension(), options.seed());
        float[][] indexed = Arrays.copyOf(all, options.count());
        float[][] queries = Arrays.copyOfRange(all, options.count(), all.length);
        String data = "synthetic: intrinsic dimension " + EmbeddingLikeVectors.INTRINSIC_DIMENSION + ", noise "
                + EmbeddingLikeVectors.NOISE + ", seed " + options.seed();
        Path dir = options.workDir().resolve("knn-live");
        KnnBenchmark.deleteRecursively(dir);
        LuceneClipStore store =
                new LuceneClipStore("bench-live", options.settings(), options.shard(), COMMIT_INTERVAL, false);
        store.open(dir);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("bench-live-sampler").factory());
        try {
            return measure(options, store, indexed, queries, data, sampler, progress);
        } finally {
            sampler.shutdownNow();
            store.close();
            KnnBenchmark.deleteRecursively(dir);
        }
    }

    private static Result measure(
            Options options,
            LuceneClipStore store,
            float[][] indexed,
            float[][] queries,
            String data,
            ScheduledExecutorService sampler,
            PrintWriter progress) {
        LiveSearchMeter meter = new LiveSearchMeter(indexed, options.k());
        LiveSearchMeter.LiveIndex index = liveIndex(store);
        AtomicLong put = new AtomicLong();
        List<Sample> samples = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        sampler.scheduleAtFixedRate(
                () -> {
                    MergeCounters merges = store.mergeCounters();
                    samples.add(new Sample(
                            (System.nanoTime() - start) / 1e9,
                            put.get(),
                            store.visibleClips(),
                            store.visibleSegments(),
                            merges.merges(),
                            merges.mergeSeconds()));
                },
                0,
                SAMPLE_MILLIS,
                TimeUnit.MILLISECONDS);
        progress.printf(
                "streaming %d vectors at %.0f/s through the store (refresh every %d ms) while querying...%n",
                options.count(),
                options.rate(),
                options.shard().refreshInterval().toMillis());
        progress.flush();
        AtomicReference<RuntimeException> ingestFailure = new AtomicReference<>();
        Thread ingest = Thread.ofPlatform().name("bench-live-ingest").start(() -> {
            try {
                for (int i = 0; i < indexed.length; i++) {
                    long due = start + (long) (i * 1e9 / options.rate());
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    store.put(KnnBenchmark.clip(i, indexed[i]));
                    put.set(i + 1);
                }
            } catch (RuntimeException e) {
                ingestFailure.set(e);
            }
        });
        LiveSearchMeter.Tally live = new LiveSearchMeter.Tally();
        LiveSearchMeter.Tally[] windows = new LiveSearchMeter.Tally[WINDOWS];
        long[] windowEnds = new long[WINDOWS];
        for (int w = 0; w < WINDOWS; w++) {
            windows[w] = new LiveSearchMeter.Tally();
        }
        List<Integer> candidates = options.searchCandidates();
        LiveSearchMeter.Tally[] swept = new LiveSearchMeter.Tally[candidates.size()];
        for (int c = 1; c < swept.length; c++) {
            swept[c] = new LiveSearchMeter.Tally();
        }
        // The final stretch of ingest at every efSearch: the index at about its full size, still growing.
        LiveSearchMeter.Tally[] lastWindow = new LiveSearchMeter.Tally[candidates.size()];
        for (int c = 0; c < lastWindow.length; c++) {
            lastWindow[c] = new LiveSearchMeter.Tally();
        }
        int cursor = 0;
        int reported = -1;
        for (long blocks = 0; ingest.isAlive(); blocks++) {
            int to = Math.min(queries.length, cursor + KnnBenchmark.TIMING_BLOCK);
            // Blocks take turns between the efSearch values, so each sees every stage of the growing index alike.
            int turn = (int) (blocks % candidates.size());
            LiveSearchMeter.Tally block = meter.block(index, queries, cursor, to, candidates.get(turn));
            cursor = to % queries.length;
            long clips = put.get();
            int window = (int) Math.min(WINDOWS - 1, clips * WINDOWS / indexed.length);
            if (window == WINDOWS - 1) {
                lastWindow[turn].add(block);
            }
            if (turn > 0) {
                swept[turn].add(block);
                continue;
            }
            windows[window].add(block);
            windowEnds[window] = clips;
            live.add(block);
            if (window != reported) {
                reported = window;
                progress.printf(
                        "  %d of %d put, %d segments, %d queries%n",
                        clips, indexed.length, index.segments(), live.queries());
                progress.flush();
            }
        }
        join(ingest);
        if (ingestFailure.get() != null) {
            throw new IllegalStateException("putting the vectors failed", ingestFailure.get());
        }
        long lastPut = System.nanoTime();
        double ingestSeconds = (lastPut - start) / 1e9;
        MergeCounters duringIngest = store.mergeCounters();
        progress.printf(
                "  all %d put in %.1f s; %d merges took %.1f s%n",
                indexed.length, ingestSeconds, duringIngest.merges(), duringIngest.mergeSeconds());
        progress.flush();
        while (store.visibleClips() < indexed.length) {
            sleep(POLL_MILLIS);
        }
        // Few enough queries to be done before the idle merge starts (their exact scans take most of the time).
        SearchFigures afterIngest = settled(
                meter, index, queries, Math.min(AFTER_INGEST_QUERIES, options.settledQueries()), candidates.getFirst());
        progress.printf("  as built: %d segments, recall %.4f%n", afterIngest.segments(), afterIngest.recall());
        progress.flush();
        SearchFigures idleMerged = null;
        List<KnnBenchmark.SweepPoint> idleMergedSweep = new ArrayList<>();
        double idleWait = 0;
        if (options.shard().idleMergeOn()) {
            long limit = lastPut + options.mergeWaitLimit().toNanos();
            while (index.segments() > options.shard().idleMergeSegments() && System.nanoTime() < limit) {
                sleep(POLL_MILLIS);
            }
            if (index.segments() <= options.shard().idleMergeSegments()) {
                idleWait = (System.nanoTime() - lastPut) / 1e9;
                idleMerged = settled(meter, index, queries, options.settledQueries(), candidates.getFirst());
                progress.printf(
                        "  idle-merged %.1f s after the last put: %d segments, recall %.4f%n",
                        idleWait, idleMerged.segments(), idleMerged.recall());
                for (int c = 1; c < candidates.size(); c++) {
                    SearchFigures figures = settled(meter, index, queries, options.settledQueries(), candidates.get(c));
                    idleMergedSweep.add(new KnnBenchmark.SweepPoint(candidates.get(c), figures));
                    progress.printf(
                            "  idle-merged, efSearch %d: recall %.4f, %.1fx%n",
                            candidates.get(c), figures.recall(), figures.speedup());
                }
            } else {
                progress.printf("  no idle merge within %s%n", options.mergeWaitLimit());
            }
            progress.flush();
        }
        MergeCounters end = store.mergeCounters();
        List<Window> windowFigures = new ArrayList<>();
        long from = 0;
        for (int w = 0; w < WINDOWS; w++) {
            if (windows[w].queries() == 0) {
                continue;
            }
            windowFigures.add(new Window(from, windowEnds[w], windows[w].figures()));
            from = windowEnds[w];
        }
        List<KnnBenchmark.SweepPoint> liveSweep = new ArrayList<>();
        for (int c = 1; c < candidates.size(); c++) {
            SearchFigures figures = swept[c].figures();
            if (figures != null) {
                liveSweep.add(new KnnBenchmark.SweepPoint(candidates.get(c), figures));
            }
        }
        List<KnnBenchmark.SweepPoint> lastWindowSweep = new ArrayList<>();
        for (int c = 0; c < candidates.size(); c++) {
            SearchFigures figures = lastWindow[c].figures();
            if (figures != null) {
                lastWindowSweep.add(new KnnBenchmark.SweepPoint(candidates.get(c), figures));
            }
        }
        List<OperatingPoint> best = new ArrayList<>();
        best("live", new KnnBenchmark.SweepPoint(candidates.getFirst(), live.figures()), liveSweep)
                .ifPresent(best::add);
        if (!lastWindowSweep.isEmpty()) {
            best("liveLastWindow", lastWindowSweep.getFirst(), lastWindowSweep.subList(1, lastWindowSweep.size()))
                    .ifPresent(best::add);
        }
        best("idleMerged", new KnnBenchmark.SweepPoint(candidates.getFirst(), idleMerged), idleMergedSweep)
                .ifPresent(best::add);
        return new Result(
                indexed.length,
                indexed[0].length,
                options.k(),
                options.rate(),
                indexed.length / ingestSeconds,
                ingestSeconds,
                options.shard().refreshInterval().toMillis(),
                options.settings().toString(),
                options.shard().toString(),
                data,
                live.figures(),
                List.copyOf(windowFigures),
                List.copyOf(liveSweep),
                List.copyOf(lastWindowSweep),
                live.queries(),
                live.scored(),
                afterIngest,
                idleMerged,
                List.copyOf(idleMergedSweep),
                List.copyOf(best),
                idleWait,
                end.mergeSeconds() - duringIngest.mergeSeconds(),
                duringIngest.merges(),
                duringIngest.mergeSeconds(),
                List.copyOf(samples),
                Runtime.getRuntime().availableProcessors());
    }

    /** The store as the meter sees it: ids are the vectors' positions, which the bench puts as clip indexes. */
    static LiveSearchMeter.LiveIndex liveIndex(LuceneClipStore store) {
        ClipFilter filter = ClipFilter.modelVersion(KnnBenchmark.MODEL_VERSION);
        return new LiveSearchMeter.LiveIndex() {
            @Override
            public long visible() {
                return store.visibleClips();
            }

            @Override
            public int[] nearest(float[] query, int k, int candidates) {
                // Hits without floats: the k-NN the query service's first phase asks for.
                List<ClipHit> hits = store.nearestWithoutFloats(query, k, filter, candidates);
                return hits.stream()
                        .mapToInt(hit -> (int) hit.clip().getClipIndex())
                        .toArray();
            }

            @Override
            public int segments() {
                return store.visibleSegments();
            }
        };
    }

    /** Of {@code configured} and {@code sweep}, the point reaching the recall target at the highest speed-up, if any. */
    static Optional<OperatingPoint> best(
            String state, KnnBenchmark.SweepPoint configured, List<KnnBenchmark.SweepPoint> sweep) {
        List<KnnBenchmark.SweepPoint> all = new ArrayList<>(sweep);
        all.add(configured);
        return all.stream()
                .filter(point -> point.figures() != null && point.figures().recall() >= KnnBenchmark.RECALL_TARGET)
                .max(Comparator.comparingDouble(point -> point.figures().speedup()))
                .map(point -> new OperatingPoint(state, point.searchCandidates(), point.figures()));
    }

    /** {@code count} queries on an index that no longer grows, in timing blocks, keeping {@code candidates}. */
    private static SearchFigures settled(
            LiveSearchMeter meter, LiveSearchMeter.LiveIndex index, float[][] queries, int count, int candidates) {
        LiveSearchMeter.Tally tally = new LiveSearchMeter.Tally();
        int done = 0;
        int cursor = 0;
        while (done < count) {
            int to = Math.min(queries.length, Math.min(cursor + KnnBenchmark.TIMING_BLOCK, cursor + count - done));
            tally.add(meter.block(index, queries, cursor, to, candidates));
            done += to - cursor;
            cursor = to % queries.length;
        }
        return tally.figures();
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for ingest", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The result as a readable table. */
    public static void printTable(Result result, PrintWriter out) {
        out.printf(
                "live k-NN benchmark: %d vectors, %d-d, streamed at %.0f/s (achieved %.1f/s, %.1f s), recall@%d, one"
                        + " query thread, %d cores%n",
                result.vectors(),
                result.dimension(),
                result.rate(),
                result.achievedRate(),
                result.ingestSeconds(),
                result.k(),
                result.cores());
        out.printf("%s; %s%ndata: %s%n%n", result.settings(), result.shard(), result.data());
        out.printf(
                "%-26s %8s %10s %9s %9s %10s %8s %5s%n",
                "state", "recall", "QPS", "p50 ms", "p95 ms", "exact QPS", "x exact", "segs");
        for (Window window : result.windows()) {
            row(out, "live " + window.clipsFrom() + "-" + window.clipsTo(), window.figures());
        }
        row(out, "live (all " + result.scoredQueries() + "/" + result.queries() + ")", result.live());
        for (KnnBenchmark.SweepPoint point : result.liveSweep()) {
            row(out, "live, efSearch " + point.searchCandidates(), point.figures());
        }
        for (KnnBenchmark.SweepPoint point : result.lastWindowSweep()) {
            row(out, "live last tenth, ef " + point.searchCandidates(), point.figures());
        }
        row(out, "after ingest", result.afterIngest());
        row(out, "idle-merged", result.idleMerged());
        for (KnnBenchmark.SweepPoint point : result.idleMergedSweep()) {
            row(out, "idle-merged, efSearch " + point.searchCandidates(), point.figures());
        }
        for (OperatingPoint point : result.best()) {
            out.printf(
                    "best %s at recall >= %.2f: efSearch %d, recall %.4f at %.1fx the exact scan%n",
                    point.state(),
                    KnnBenchmark.RECALL_TARGET,
                    point.searchCandidates(),
                    point.figures().recall(),
                    point.figures().speedup());
        }
        out.printf(
                "%nmerges during ingest: %d, %.1f s of merge-thread time; after ingest: %.1f s; idle merge visible"
                        + " %.1f s after the last put%n",
                result.merges(), result.mergeSeconds(), result.idleMergeSeconds(), result.idleMergeWaitSeconds());
        StringBuilder timeline = new StringBuilder("segments over time (s:segments):");
        List<Sample> samples = result.segmentsOverTime();
        int step = Math.max(1, samples.size() / 20);
        for (int i = 0; i < samples.size(); i += step) {
            Sample sample = samples.get(i);
            timeline.append(String.format(" %.0f:%d", sample.seconds(), sample.segments()));
        }
        out.println(timeline);
        out.flush();
    }

    private static void row(PrintWriter out, String state, SearchFigures figures) {
        if (figures == null) {
            out.printf("%-26s %8s%n", state, "-");
            return;
        }
        out.printf(
                "%-26s %8.4f %10.1f %9.3f %9.3f %10.1f %8.1f %5d%n",
                state,
                figures.recall(),
                figures.qps(),
                figures.p50Millis(),
                figures.p95Millis(),
                figures.exactQps(),
                figures.speedup(),
                figures.segments());
    }
}
