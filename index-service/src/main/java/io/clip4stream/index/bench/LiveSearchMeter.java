package io.clip4stream.index.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Times k-NN queries against an index that grows while they run, and scores each against an exact search over the
 * vectors that index could see at query time.
 *
 * <p>Vectors are added in id order from one thread and a near-real-time refresh makes every write before it visible,
 * so what a query sees is a prefix of the ids: the first {@link LiveIndex#visible()} of them. The count is read before
 * and after the query; when a refresh came in between (or fewer than k vectors were visible), the query cannot be
 * scored fairly and is left out of every figure but the count of queries run, QPS included: a query of an empty index
 * is fast and says nothing.
 * The exact scans of a block's scored queries run right after the block, and their time is the exact-scan QPS "timed
 * alongside" (see {@link KnnBenchmark.SearchFigures#exactQps()}).
 */
final class LiveSearchMeter {

    /** What the meter needs of the index under test. */
    interface LiveIndex {
        /** How many vectors queries can see now (a prefix of the ids). */
        long visible();

        /** The ids of the (approximately) nearest {@code k} vectors, keeping {@code candidates} while searching. */
        int[] nearest(float[] query, int k, int candidates);

        /** Segments queries search now. */
        int segments();
    }

    private final float[][] vectors;
    private final int k;

    /** A meter scoring against {@code vectors} (indexed by id) with recall@{@code k}. */
    LiveSearchMeter(float[][] vectors, int k) {
        this.vectors = Objects.requireNonNull(vectors, "vectors");
        if (k < 1) {
            throw new IllegalArgumentException("k must be positive; was " + k);
        }
        this.k = k;
    }

    /** Figures gathered over any number of blocks. */
    static final class Tally {
        private final List<Long> nanos = new ArrayList<>();
        private int queries;
        private double recallSum;
        private int scored;
        private long exactNanos;
        private int exactScans;
        private int segments;

        /** Queries run, scored or not. */
        int queries() {
            return queries;
        }

        /** Queries scored against exact search. */
        int scored() {
            return scored;
        }

        /** Mean recall of the scored queries (NaN when none was scored). */
        double recall() {
            return scored == 0 ? Double.NaN : recallSum / scored;
        }

        /** Adds {@code other}'s queries to this tally (its segment count wins: it is the later one). */
        void add(Tally other) {
            nanos.addAll(other.nanos);
            queries += other.queries;
            recallSum += other.recallSum;
            scored += other.scored;
            exactNanos += other.exactNanos;
            exactScans += other.exactScans;
            segments = other.segments;
        }

        /** The figures, in the shape every {@code bench knn} state reports; null when nothing was timed. */
        KnnBenchmark.SearchFigures figures() {
            if (nanos.isEmpty() || exactScans == 0) {
                return null;
            }
            long[] times = nanos.stream().mapToLong(Long::longValue).toArray();
            return new KnnBenchmark.SearchFigures(
                    segments,
                    recall(),
                    times.length / (Arrays.stream(times).sum() / 1e9),
                    KnnBenchmark.percentile(times, 0.5) / 1e6,
                    KnnBenchmark.percentile(times, 0.95) / 1e6,
                    exactScans / (exactNanos / 1e9));
        }
    }

    /**
     * Runs {@code queries[from..to)} against {@code index} back to back with {@code candidates} kept per search, then
     * the exact scans of those that could be scored, and returns their tally.
     */
    Tally block(LiveIndex index, float[][] queries, int from, int to, int candidates) {
        Tally tally = new Tally();
        int[][] hits = new int[to - from][];
        int[] present = new int[to - from];
        for (int q = from; q < to; q++) {
            long before = index.visible();
            long start = System.nanoTime();
            int[] found = index.nearest(queries[q], k, candidates);
            long nanos = System.nanoTime() - start;
            long after = index.visible();
            tally.queries++;
            // Scored only when no refresh came in between and there are k vectors to find.
            if (before == after && before >= k) {
                hits[q - from] = found;
                present[q - from] = (int) before;
                tally.nanos.add(nanos);
            }
        }
        tally.segments = index.segments();
        long exactStart = System.nanoTime();
        for (int q = from; q < to; q++) {
            if (hits[q - from] == null) {
                continue;
            }
            int[] truth = KnnBenchmark.exactTopK(vectors, present[q - from], queries[q], k);
            tally.recallSum += recall(hits[q - from], truth);
            tally.scored++;
            tally.exactScans++;
        }
        tally.exactNanos = System.nanoTime() - exactStart;
        return tally;
    }

    /** The share of {@code truth} found in {@code hits}. */
    static double recall(int[] hits, int[] truth) {
        int found = 0;
        for (int expected : truth) {
            for (int hit : hits) {
                if (hit == expected) {
                    found++;
                    break;
                }
            }
        }
        return (double) found / truth.length;
    }
}
