package io.clip4stream.query.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The percentiles {@code bench rerank} prints are nearest-rank percentiles of the per-query times. */
class RerankLatencyTest {
    @Test
    void nearestRankOfAHundredTimes() {
        double[] millis = new double[100];
        for (int i = 0; i < millis.length; i++) {
            millis[millis.length - 1 - i] = i + 1; // 100 down to 1: the order of the input does not matter
        }
        RerankBenchmark.Latency latency = RerankBenchmark.Latency.of(millis);
        assertEquals(50, latency.p50());
        assertEquals(90, latency.p90());
        assertEquals(99, latency.p99());
        assertEquals(100, latency.max());
        assertEquals(50.5, latency.mean(), 1e-12);
        assertEquals(100, millis[0], "the input is left as it was");
    }

    @Test
    void oneTimeIsEveryPercentile() {
        RerankBenchmark.Latency latency = RerankBenchmark.Latency.of(new double[] {7});
        assertEquals(7, latency.p50());
        assertEquals(7, latency.p99());
        assertEquals(7, latency.max());
    }
}
