package io.clip4stream.alert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WatchBenchmarkTest {

    @Test
    void shouldOfferTheScheduledClipsAndReportLagOnAFakeClock() {
        // A clock that advances 1 ms per reading: every clip takes a few readings, far under its 100 ms slot.
        AtomicLong now = new AtomicLong();
        WatchBenchmark.Result fast =
                new WatchBenchmark(200, 16, 10, Duration.ofSeconds(2), 1, () -> now.addAndGet(1_000_000)).run();
        assertEquals(200, fast.queries());
        assertEquals(20, fast.clips());
        assertTrue(fast.keptUp());
        assertTrue(fast.fractionOfMatmulRate() > 0);

        // A clock that advances 2 s per reading: no clip can finish inside its slot.
        AtomicLong slow = new AtomicLong();
        WatchBenchmark.Result behind =
                new WatchBenchmark(200, 16, 10, Duration.ofSeconds(2), 1, () -> slow.addAndGet(2_000_000_000L)).run();
        assertFalse(behind.keptUp());
        assertTrue(behind.maxLagMillis() >= 2_000);
    }
}
