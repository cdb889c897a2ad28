package io.clip4stream.alert.bench;

import io.clip4stream.alert.match.ClipScore;
import io.clip4stream.alert.match.MatrixVector;
import io.clip4stream.alert.match.MomentState;
import io.clip4stream.alert.match.MomentTracker;
import io.clip4stream.alert.match.QueryBank;
import io.clip4stream.alert.match.ScoreSketch;
import io.clip4stream.alert.match.ThresholdRule;
import io.clip4stream.alert.match.WatchedQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Can one thread match {@code queries} standing queries against {@code clipsPerSecond} clips a second? Clips are
 * released on a real-time schedule and each goes through the matcher's per-clip work (one matrix product, a
 * calibration update and threshold per query, moment steps for matches); lag is how late a clip finished after it
 * was due. The baseline, measured in the same run, is the bare matrix-vector product over the same matrix at full
 * speed.
 */
public final class WatchBenchmark {
    private static final long CLIP_MICROS = 1_000_000L;

    private final int queries;
    private final int dim;
    private final double clipsPerSecond;
    private final Duration duration;
    private final long seed;
    private final LongSupplier nanoTime;

    /**
     * The figures of one run.
     *
     * @param queries standing queries
     * @param clipsPerSecond offered clip rate
     * @param keptUp whether every clip finished within a second of being due and the backlog never grew
     * @param maxLagMillis largest lateness of a clip's completion
     * @param p95ScoringMillis 95th percentile of one clip's matching time
     * @param matchingClipsPerSecond clips a second the matcher sustains at full speed (from its mean time)
     * @param matmulClipsPerSecond clips a second of the bare matrix-vector product (the baseline)
     * @param fractionOfMatmulRate the first over the second
     * @param clips clips processed
     */
    public record Result(
            int queries,
            double clipsPerSecond,
            boolean keptUp,
            double maxLagMillis,
            double p95ScoringMillis,
            double matchingClipsPerSecond,
            double matmulClipsPerSecond,
            double fractionOfMatmulRate,
            int clips) {}

    /** A benchmark of {@code queries} {@code dim}-wide queries at {@code clipsPerSecond} for {@code duration}. */
    public WatchBenchmark(
            int queries, int dim, double clipsPerSecond, Duration duration, long seed, LongSupplier nanoTime) {
        if (queries < 1 || dim < 1 || clipsPerSecond <= 0 || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("queries, dim, rate and duration must be positive");
        }
        this.queries = queries;
        this.dim = dim;
        this.clipsPerSecond = clipsPerSecond;
        this.duration = duration;
        this.seed = seed;
        this.nanoTime = nanoTime;
    }

    /** Runs the benchmark. */
    public Result run() {
        Random random = new Random(seed);
        List<WatchedQuery> watched = new ArrayList<>(queries);
        for (int q = 0; q < queries; q++) {
            watched.add(new WatchedQuery(
                    "q" + q,
                    "query " + q,
                    Set.of(),
                    Set.of(),
                    new ThresholdRule.TopRate(1),
                    Duration.ZERO,
                    Duration.ofSeconds(15),
                    randomUnit(random)));
        }
        QueryBank bank = QueryBank.of(watched);
        int clips = (int) Math.max(1, Math.round(clipsPerSecond * duration.toNanos() / 1e9));
        float[][] vectors = new float[Math.min(clips, 256)][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = randomUnit(random);
        }
        double matmulRate = matmulRate(bank, vectors);

        Map<String, ScoreSketch> sketches = new HashMap<>();
        Map<String, MomentState> moments = new HashMap<>();
        float[] scores = new float[bank.size()];
        // Warm up the JIT on the matching path before the clock starts.
        for (int i = 0; i < 20; i++) {
            matchOne(bank, vectors[i % vectors.length], i, scores, new HashMap<>(), new HashMap<>());
        }
        long[] took = new long[clips];
        double maxLagNanos = 0;
        long intervalNanos = Math.round(1e9 / clipsPerSecond);
        long start = nanoTime.getAsLong();
        for (int i = 0; i < clips; i++) {
            long due = start + i * intervalNanos;
            long now;
            while ((now = nanoTime.getAsLong()) < due) {
                LockSupport.parkNanos(Math.min(due - now, 1_000_000));
            }
            long began = nanoTime.getAsLong();
            matchOne(bank, vectors[i % vectors.length], i, scores, sketches, moments);
            long finished = nanoTime.getAsLong();
            took[i] = finished - began;
            maxLagNanos = Math.max(maxLagNanos, finished - due);
        }
        long[] sorted = took.clone();
        Arrays.sort(sorted);
        double p95 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.95 * sorted.length) - 1)] / 1e6;
        double meanNanos = Arrays.stream(took).average().orElse(0);
        double matchingRate = meanNanos > 0 ? 1e9 / meanNanos : Double.POSITIVE_INFINITY;
        boolean keptUp = maxLagNanos < Math.max(1e9, 2.0 * intervalNanos) && matchingRate >= clipsPerSecond;
        return new Result(
                queries,
                clipsPerSecond,
                keptUp,
                maxLagNanos / 1e6,
                p95,
                matchingRate,
                matmulRate,
                matchingRate / matmulRate,
                clips);
    }

    /** The per-clip work of the stream's matcher, on in-memory maps instead of state stores. */
    private static int matchOne(
            QueryBank bank,
            float[] clip,
            int index,
            float[] scores,
            Map<String, ScoreSketch> sketches,
            Map<String, MomentState> moments) {
        bank.scoreInto(clip, scores);
        List<WatchedQuery> queries = bank.queries();
        int matches = 0;
        for (int row = 0; row < queries.size(); row++) {
            WatchedQuery query = queries.get(row);
            if (!query.watches("bench", List.of())) {
                continue;
            }
            ScoreSketch sketch = sketches.computeIfAbsent(query.queryId(), id -> new ScoreSketch());
            double threshold = query.rule().threshold(sketch);
            sketch.add(scores[row], CLIP_MICROS / 1e6);
            MomentState state = moments.get(query.queryId());
            if (scores[row] < threshold && (state == null || state.open().isEmpty())) {
                continue;
            }
            matches++;
            MomentTracker.Step step = MomentTracker.step(
                    query.queryId(),
                    "bench",
                    state == null ? MomentState.NONE : state,
                    new ClipScore("c" + index, index * CLIP_MICROS, (index + 1) * CLIP_MICROS, scores[row], 0),
                    threshold,
                    query.gap(),
                    query.cooldown());
            moments.put(query.queryId(), step.next());
        }
        return matches;
    }

    private double matmulRate(QueryBank bank, float[][] vectors) {
        float[] matrix = new float[bank.size() * dim];
        for (int r = 0; r < bank.size(); r++) {
            System.arraycopy(bank.queries().get(r).vector(), 0, matrix, r * dim, dim);
        }
        float[] out = new float[bank.size()];
        for (int i = 0; i < 50; i++) {
            MatrixVector.multiply(matrix, bank.size(), dim, vectors[i % vectors.length], out);
        }
        int rounds = 0;
        long begin = nanoTime.getAsLong();
        long elapsed;
        do {
            MatrixVector.multiply(matrix, bank.size(), dim, vectors[rounds % vectors.length], out);
            rounds++;
            elapsed = nanoTime.getAsLong() - begin;
        } while (elapsed < 1_000_000_000L || rounds < 20);
        return rounds * 1e9 / elapsed;
    }

    private float[] randomUnit(Random random) {
        float[] v = new float[dim];
        for (int d = 0; d < dim; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return WatchedQuery.unit(v);
    }
}
