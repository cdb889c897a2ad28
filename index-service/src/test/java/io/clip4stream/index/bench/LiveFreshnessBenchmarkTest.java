package io.clip4stream.index.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live freshness benchmark's percentiles and its agreed JSON shape. */
class LiveFreshnessBenchmarkTest {

    @Test
    void percentilesAreNearestRank() {
        long[] nanos = new long[20];
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = (20 - i) * 1_000_000L; // 20 ms down to 1 ms, unsorted on purpose
        }
        LiveFreshnessBenchmark.Latency latency = LiveFreshnessBenchmark.Latency.of(nanos);
        assertEquals(20, latency.count());
        assertEquals(10.0, latency.p50Millis());
        assertEquals(19.0, latency.p95Millis());
        assertEquals(20.0, latency.maxMillis());
        assertEquals(20_000_000L, nanos[0], "the samples are not sorted in place");
    }

    @Test
    void noSamplesGiveNoFigures() {
        LiveFreshnessBenchmark.Latency none = LiveFreshnessBenchmark.Latency.of(new long[0]);
        assertEquals(0, none.count());
        assertTrue(Double.isNaN(none.p95Millis()));
    }

    @Test
    void theJsonHasTheAgreedFields() {
        LiveFreshnessBenchmark.Result result = new LiveFreshnessBenchmark.Result(
                24,
                1.0,
                2,
                250,
                LiveFreshnessBenchmark.Latency.of(new long[] {1_000_000L, 3_000_000L}),
                LiveFreshnessBenchmark.Latency.of(new long[] {2_000_000L}),
                LiveFreshnessBenchmark.Result.EMBEDDINGS,
                Map.of());
        Map<String, Object> json = LiveFreshnessBenchmark.toJson(result);
        assertEquals(24, json.get("frames"));
        @SuppressWarnings("unchecked")
        Map<String, Object> event = (Map<String, Object>) json.get("event_to_searchable");
        assertEquals(1.0, event.get("p50_ms"));
        assertEquals(3.0, event.get("p95_ms"));
        @SuppressWarnings("unchecked")
        Map<String, Object> boundary = (Map<String, Object>) json.get("boundary_to_searchable");
        assertEquals(2.0, boundary.get("p50_ms"));
        assertEquals(2.0, boundary.get("p95_ms"));
    }

    @Test
    void optionsRefuseNonsense() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new LiveFreshnessBenchmark.Options(0, 1, 12, 2, "x:1", Path.of("s"), Duration.ofMillis(250)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new LiveFreshnessBenchmark.Options(10, 0, 12, 2, "x:1", Path.of("s"), Duration.ofMillis(250)));
        assertThrows(
                IllegalArgumentException.class,
                () -> new LiveFreshnessBenchmark.Options(10, 1, 12, -1, "x:1", Path.of("s"), Duration.ofMillis(250)));
    }
}
