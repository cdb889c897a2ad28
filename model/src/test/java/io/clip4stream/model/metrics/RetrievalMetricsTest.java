package io.clip4stream.model.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RetrievalMetricsTest {

    @Test
    void shouldRankAPerfectDiagonalFirst() {
        RetrievalMetrics metrics = RetrievalMetrics.compute(new float[][] {{3, 1, 0}, {0, 2, 1}, {-1, 0, 5}});
        assertArrayEquals(new int[] {0, 0, 0}, metrics.ranks());
        assertEquals(100.0, metrics.r1());
        assertEquals(1.0, metrics.medianRank());
        assertEquals(1.0, metrics.meanRank());
    }

    @Test
    void shouldEmitOneRankPerTiedColumnAndAverageTheMiddlePair() {
        // Row 0 ties its diagonal with column 1: ranks 0 and 1. Row 1 is last of two distinct values: rank 1.
        RetrievalMetrics metrics = RetrievalMetrics.compute(new float[][] {{1, 1}, {2, 1}});
        assertArrayEquals(new int[] {0, 1, 1}, metrics.ranks());
        assertEquals(100.0 / 3, metrics.r1());
        assertEquals(2.0, metrics.medianRank());
        RetrievalMetrics even = RetrievalMetrics.compute(new float[][] {{0, 1}, {0, 1}});
        assertArrayEquals(new int[] {1, 0}, even.ranks());
        assertEquals(1.5, even.medianRank());
        assertEquals(1.5, even.meanRank());
    }

    @Test
    void shouldSkipRowsWhoseDiagonalCannotBeRanked() {
        RetrievalMetrics metrics = RetrievalMetrics.compute(new float[][] {{Float.NaN, 1}, {0, 1}});
        assertArrayEquals(new int[] {0}, metrics.ranks());
        assertThrows(
                IllegalArgumentException.class,
                () -> RetrievalMetrics.compute(new float[][] {{Float.NEGATIVE_INFINITY}}));
    }

    @Test
    void shouldRejectNonSquareOrEmptyMatrices() {
        assertThrows(IllegalArgumentException.class, () -> RetrievalMetrics.compute(new float[0][]));
        assertThrows(IllegalArgumentException.class, () -> RetrievalMetrics.compute(new float[][] {{1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> RetrievalMetrics.videoToText(new float[][] {{1}, {2, 3}}));
    }
}
