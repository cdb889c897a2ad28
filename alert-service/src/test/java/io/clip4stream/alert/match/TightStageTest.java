package io.clip4stream.alert.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TightStageTest {
    private final TightStage stage = new TightStage(100, 0.05);

    @Test
    void shouldReScoreClipsAtOrAboveTheThresholdLessTheMargin() {
        assertTrue(stage.candidate(0.70, 0.70));
        assertTrue(stage.candidate(0.66, 0.70));
        assertFalse(stage.candidate(0.64, 0.70));
    }

    @Test
    void shouldFuseAsTheQueryPathDoesInFirstStageUnits() {
        // The query path's fused score: tight + 100 x cosine = 5 + 70 = 75, which is 0.75 in first-stage units.
        assertEquals(0.75, stage.fused(0.70, 5), 1e-12);
        assertEquals(0.65, stage.fused(0.70, -5), 1e-12);
    }

    @Test
    void shouldRefuseAWeightThatCannotScaleTheLogit() {
        assertThrows(IllegalArgumentException.class, () -> new TightStage(0, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new TightStage(Double.NaN, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new TightStage(10, -0.1));
    }
}
