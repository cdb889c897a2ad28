package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ThroughputWindowTest {

    private static final long S = 1_000_000_000L;

    @Test
    void ratesOverTheTimeSinceStartUntilTheWindowIsFull() {
        ThroughputWindow window = new ThroughputWindow(10 * S, 100 * S);
        assertEquals(0, window.framesPerSecond(100 * S));
        window.record(16, 101 * S);
        window.record(16, 102 * S);
        assertEquals(16.0, window.framesPerSecond(102 * S), 1e-9);
    }

    @Test
    void forgetsFramesOlderThanTheWindowSoTheRateDecaysWhenIdle() {
        ThroughputWindow window = new ThroughputWindow(10 * S, 0);
        for (int second = 1; second <= 20; second++) {
            window.record(8, second * S);
        }
        assertEquals(8.0, window.framesPerSecond(20 * S), 1e-9);
        assertEquals(4.0, window.framesPerSecond(25 * S), 1e-9);
        assertEquals(0.0, window.framesPerSecond(31 * S), 1e-9);
    }

    @Test
    void rejectsAnEmptyWindow() {
        assertThrows(IllegalArgumentException.class, () -> new ThroughputWindow(0, 0));
    }
}
