package io.clip4stream.model.metrics;

import java.util.Arrays;
import java.util.Objects;

/**
 * The result of CLIP4Clip's {@code metrics.compute_metrics}: rows are queries, the ground truth of row i is column i.
 *
 * <p>The rank of a row is the position of its diagonal value in the row sorted descending. The original finds it by
 * subtracting the diagonal from the sorted row and keeping every position that gives exactly 0, so a value tied with
 * the diagonal contributes one rank per tied column (and a NaN or infinite diagonal contributes none); all averages
 * are over that list, which is why its length can differ from the number of rows. Ties are kept exactly as the
 * original does so that published numbers are comparable.
 *
 * @param r1 percentage of ranks equal to 0
 * @param r5 percentage of ranks below 5
 * @param r10 percentage of ranks below 10
 * @param medianRank {@code np.median(ranks) + 1} (mean of the two middle ranks for an even count)
 * @param meanRank {@code np.mean(ranks) + 1}
 * @param ranks the 0-based ranks in row order ({@code cols} in the original)
 */
public record RetrievalMetrics(double r1, double r5, double r10, double medianRank, double meanRank, int[] ranks) {

    /** Copies the ranks so the record stays immutable. */
    public RetrievalMetrics {
        ranks = Objects.requireNonNull(ranks, "ranks").clone();
    }

    /** Returns a copy of the 0-based ranks. */
    @Override
    public int[] ranks() {
        return ranks.clone();
    }

    /** Text-to-video metrics: {@code compute_metrics(sim)} with rows = captions, columns = videos. */
    public static RetrievalMetrics textToVideo(float[][] similarity) {
        return compute(similarity);
    }

    /** Video-to-text metrics: {@code compute_metrics(sim.T)} for the same caption-by-video matrix. */
    public static RetrievalMetrics videoToText(float[][] similarity) {
        checkSquare(similarity);
        int n = similarity.length;
        float[][] transposed = new float[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                transposed[j][i] = similarity[i][j];
            }
        }
        return compute(transposed);
    }

    /** {@code compute_metrics(x)} for a square float32 matrix whose diagonal holds the ground-truth pairs. */
    public static RetrievalMetrics compute(float[][] similarity) {
        checkSquare(similarity);
        int n = similarity.length;
        int[] ranks = new int[0];
        int count = 0;
        float[] sorted = new float[n];
        for (int row = 0; row < n; row++) {
            // np.sort(-x) ascending, then (sorted - diagonal) == 0, all in float32 like numpy.
            for (int col = 0; col < n; col++) {
                sorted[col] = -similarity[row][col];
            }
            Arrays.sort(sorted);
            float diagonal = -similarity[row][row];
            for (int position = 0; position < n; position++) {
                if (sorted[position] - diagonal == 0f) {
                    if (count == ranks.length) {
                        ranks = Arrays.copyOf(ranks, Math.max(2 * count, n));
                    }
                    ranks[count++] = position;
                }
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException(
                    "no row's diagonal value could be ranked (NaN or infinite diagonal); the original divides by zero");
        }
        ranks = Arrays.copyOf(ranks, count);
        return new RetrievalMetrics(
                percentBelow(ranks, 1),
                percentBelow(ranks, 5),
                percentBelow(ranks, 10),
                median(ranks) + 1,
                mean(ranks) + 1,
                ranks);
    }

    /** {@code float(np.sum(ranks < k)) * 100 / len(ranks)}, in the same operation order. */
    private static double percentBelow(int[] ranks, int k) {
        long hits = Arrays.stream(ranks).filter(rank -> rank < k).count();
        return (double) hits * 100 / ranks.length;
    }

    private static double median(int[] ranks) {
        int[] sorted = ranks.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        if (sorted.length % 2 == 1) {
            return sorted[middle];
        }
        return ((long) sorted[middle - 1] + sorted[middle]) / 2.0;
    }

    /** Integer ranks sum exactly in a long, so numpy's pairwise float64 sum gives the same total. */
    private static double mean(int[] ranks) {
        long sum = 0;
        for (int rank : ranks) {
            sum += rank;
        }
        return (double) sum / ranks.length;
    }

    private static void checkSquare(float[][] similarity) {
        Objects.requireNonNull(similarity, "similarity");
        if (similarity.length == 0) {
            throw new IllegalArgumentException("similarity matrix is empty");
        }
        for (int row = 0; row < similarity.length; row++) {
            if (similarity[row] == null || similarity[row].length != similarity.length) {
                throw new IllegalArgumentException("similarity matrix must be square with ground truth on the diagonal;"
                        + " row " + row + " has " + (similarity[row] == null ? "no" : similarity[row].length)
                        + " columns for " + similarity.length + " rows");
            }
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RetrievalMetrics that
                && Double.compare(r1, that.r1) == 0
                && Double.compare(r5, that.r5) == 0
                && Double.compare(r10, that.r10) == 0
                && Double.compare(medianRank, that.medianRank) == 0
                && Double.compare(meanRank, that.meanRank) == 0
                && Arrays.equals(ranks, that.ranks);
    }

    @Override
    public int hashCode() {
        return Objects.hash(r1, r5, r10, medianRank, meanRank, Arrays.hashCode(ranks));
    }

    @Override
    public String toString() {
        return String.format(
                java.util.Locale.ROOT,
                "R@1 %.1f R@5 %.1f R@10 %.1f MedianR %.1f MeanR %.1f (%d ranks)",
                r1,
                r5,
                r10,
                medianRank,
                meanRank,
                ranks.length);
    }
}
