package io.clip4stream.ingest.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameSamplerTest {
    private static List<Long> sample(double fps, long[] times) {
        FrameSampler sampler = new FrameSampler(fps);
        List<Long> kept = new ArrayList<>();
        for (long t : times) {
            if (sampler.accept(t)) {
                kept.add(t);
            }
        }
        return kept;
    }

    private static long[] constantRate(double rate, int frames) {
        long[] times = new long[frames];
        for (int i = 0; i < frames; i++) {
            times[i] = Math.round(i * 1_000_000.0 / rate);
        }
        return times;
    }

    @Test
    void oneFramePerSecondAt30FpsKeepsTheFirstFrameOfEverySecond() {
        assertEquals(List.of(0L, 1_000_000L, 2_000_000L), sample(1, constantRate(30, 90)));
    }

    @Test
    void ntscRateKeepsTheFirstFrameAtOrAfterEachTarget() {
        List<Long> kept = sample(1, constantRate(29.97, 120));
        assertEquals(4, kept.size());
        assertEquals(1_001_001L, kept.get(1)); // frame 30 at 30/29.97 s: the first at or after 1 s
    }

    @Test
    void aGapYieldsOneFrameNotDuplicates() {
        assertEquals(
                List.of(0L, 5_000_000L, 6_000_000L),
                sample(1, new long[] {0, 400_000, 5_000_000, 5_500_000, 6_000_000}));
    }

    @Test
    void fractionalRatesUseCeiledTargets() {
        FrameSampler sampler = new FrameSampler(3);
        assertEquals(333_334L, sampler.targetMicros(1));
        assertTrue(sampler.accept(0));
        assertFalse(sampler.accept(333_333));
        assertTrue(sampler.due(333_334));
        assertTrue(sampler.accept(333_334));
    }

    @Test
    void higherRateThanTheVideoKeepsEveryFrame() {
        assertEquals(10, sample(25, constantRate(10, 10)).size());
    }

    @Test
    void mayAcceptOnlyNearTheNextTarget() {
        FrameSampler sampler = new FrameSampler(1);
        assertTrue(sampler.accept(0));
        assertFalse(sampler.mayAccept(500_000, 33_333));
        assertTrue(sampler.mayAccept(966_667, 33_333));
        assertTrue(sampler.mayAccept(0, 0), "unknown frame duration converts every frame");
    }

    @Test
    void rejectsNonPositiveRates() {
        assertThrows(IllegalArgumentException.class, () -> new FrameSampler(0));
        assertThrows(IllegalArgumentException.class, () -> new FrameSampler(Double.NaN));
    }
}
