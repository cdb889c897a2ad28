package io.clip4stream.alert.match;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScoreSketchTest {

    @Test
    void shouldTakeCommonQuantilesFromRecentScoresAndRareOnesFromTheFittedTail() {
        Random random = new Random(3);
        ScoreSketch sketch = new ScoreSketch();
        for (int i = 0; i < 20_000; i++) {
            sketch.add(0.2 + 0.05 * random.nextGaussian(), 12);
        }
        assertEquals(0.2, sketch.mean(), 0.01);
        assertEquals(0.05, sketch.standardDeviation(), 0.005);
        // Top 10 %: z = 1.2816, read from the 256 recent scores (noisy, so a loose bound).
        assertEquals(0.2 + 1.2816 * 0.05, sketch.upperQuantile(0.1), 0.02);
        // Top 1 in 7,200: z = 3.81, beyond the recent scores: the normal tail.
        assertEquals(0.2 + 3.81 * 0.05, sketch.upperQuantile(1.0 / 7_200), 0.01);
        assertEquals(12, sketch.meanClipSeconds(), 1e-9);
    }

    @Test
    void shouldRoundTripThroughBytes() {
        ScoreSketch sketch = new ScoreSketch();
        for (int i = 0; i < 300; i++) {
            sketch.add(i / 300.0, 10);
        }
        ScoreSketch back = ScoreSketch.fromBytes(sketch.toBytes());
        assertEquals(sketch.count(), back.count());
        assertEquals(sketch.mean(), back.mean());
        assertEquals(sketch.standardDeviation(), back.standardDeviation());
        assertArrayEquals(sketch.recentQuantiles(0.1, 0.5, 0.9), back.recentQuantiles(0.1, 0.5, 0.9));
        assertThrows(IllegalArgumentException.class, () -> ScoreSketch.fromBytes(new byte[12]));
    }

    @Test
    void shouldNotFireARateRuleBeforeItIsCalibrated() {
        ScoreSketch sketch = new ScoreSketch();
        ThresholdRule rule = new ThresholdRule.TopRate(1);
        for (int i = 0; i < ScoreSketch.MIN_SAMPLES - 1; i++) {
            sketch.add(0.1, 12);
        }
        assertFalse(sketch.calibrated());
        assertEquals(Double.POSITIVE_INFINITY, rule.threshold(sketch));
        sketch.add(0.1, 12);
        assertTrue(sketch.calibrated());
        assertTrue(Double.isFinite(rule.threshold(sketch)));
    }

    @Test
    void shouldRejectRatesAndScoresThatMeanNothing() {
        assertThrows(IllegalArgumentException.class, () -> new ThresholdRule.TopRate(-1));
        assertThrows(IllegalArgumentException.class, () -> new ThresholdRule.TopRate(0));
        assertThrows(IllegalArgumentException.class, () -> new ThresholdRule.Absolute(2));
    }

    /** {@code --rate 1/day}: thirty days of ordinary 12-second clips fire about thirty moments. */
    @Test
    void shouldFireAboutTheAskedRateOfMomentsOnOrdinaryFootage() {
        Random random = new Random(11);
        ScoreSketch sketch = new ScoreSketch();
        ThresholdRule rule = new ThresholdRule.TopRate(1);
        MomentState state = MomentState.NONE;
        long clipMicros = 12_000_000L;
        int days = 30;
        int clipsPerDay = 7_200;
        int opened = 0;
        for (int i = 0; i < days * clipsPerDay; i++) {
            double score = 0.2 + 0.05 * random.nextGaussian();
            double threshold = rule.threshold(sketch);
            sketch.add(score, 12);
            ClipScore clip = new ClipScore("c" + i, i * clipMicros, (i + 1) * clipMicros, score, 0);
            MomentTracker.Step step =
                    MomentTracker.step("q", "s", state, clip, threshold, Duration.ofSeconds(30), Duration.ofMinutes(1));
            state = step.next();
            opened += (int) step.events().stream()
                    .filter(e -> !e.closed() && e.moment().revision() == 0)
                    .count();
        }
        // Poisson(30) lies in [12, 55] with probability > 0.999; a rule off by a factor of two fails.
        assertTrue(opened >= 12 && opened <= 55, "moments opened in " + days + " days: " + opened);
    }
}
