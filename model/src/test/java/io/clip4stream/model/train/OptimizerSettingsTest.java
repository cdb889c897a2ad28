package io.clip4stream.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OptimizerSettingsTest {

    /** 0.5 × (1 + cos(0.1π)), the first value after a 10% warm-up. */
    private static final double COSINE_AT_TENTH = 0.9755282581475768;

    @Test
    void warmupCosineRisesLinearlyThenFollowsHalfACosineOverTheWholeRun() {
        assertEquals(0.0, OptimizerSettings.warmupCosine(0.0, 0.1));
        assertEquals(0.5, OptimizerSettings.warmupCosine(0.05, 0.1), 1e-15);
        // At the end of the warm-up the cosine is not restarted: it is evaluated at the run's progress, 0.1.
        assertEquals(COSINE_AT_TENTH, OptimizerSettings.warmupCosine(0.1, 0.1), 1e-15);
        assertEquals(0.5, OptimizerSettings.warmupCosine(0.5, 0.1), 1e-15);
        assertEquals(0.0, OptimizerSettings.warmupCosine(1.0, 0.1), 1e-15);
    }

    @Test
    void withoutWarmUpTheFirstFactorIsOne() {
        assertEquals(1.0, OptimizerSettings.warmupCosine(0.0, 0.0));
    }

    @Test
    void theScheduleCountsStepsFromZero() {
        OptimizerSettings settings = OptimizerSettings.paper(100);

        assertEquals(0.0, settings.schedule(0));
        assertEquals(0.01 / 0.1, settings.schedule(1), 1e-15);
        assertEquals(0.5, settings.schedule(5), 1e-15);
        assertEquals(COSINE_AT_TENTH, settings.schedule(10), 1e-15);
        assertEquals(0.5, settings.schedule(50), 1e-15);
        assertEquals(0.0, settings.schedule(100), 1e-15);
    }

    @Test
    void clipGroupsLearnAtLrTimesCoefLrAndOnlyDecayGroupsDecay() {
        OptimizerSettings settings = OptimizerSettings.paper(100);

        assertEquals(1e-4 * 1e-3, settings.groupLr(ParameterGroup.CLIP_DECAY), 1e-20);
        assertEquals(1e-4 * 1e-3, settings.groupLr(ParameterGroup.CLIP_NO_DECAY), 1e-20);
        assertEquals(1e-4, settings.groupLr(ParameterGroup.HEAD_DECAY));
        assertEquals(1e-4, settings.groupLr(ParameterGroup.HEAD_NO_DECAY));
        assertEquals(0.2, settings.groupDecay(ParameterGroup.CLIP_DECAY));
        assertEquals(0.2, settings.groupDecay(ParameterGroup.HEAD_DECAY));
        assertEquals(0.0, settings.groupDecay(ParameterGroup.CLIP_NO_DECAY));
        assertEquals(0.0, settings.groupDecay(ParameterGroup.HEAD_NO_DECAY));
    }

    @Test
    void withRatesKeepsEverythingElse() {
        OptimizerSettings settings = OptimizerSettings.paper(100).withRates(0.1, 0.5, 0.2);

        assertEquals(0.1 * 0.5, settings.groupLr(ParameterGroup.CLIP_DECAY), 1e-15);
        assertEquals(0.1, settings.groupLr(ParameterGroup.HEAD_DECAY));
        assertEquals(0.5, settings.schedule(10), 1e-15);
        assertEquals(100, settings.tTotal());
        assertEquals(0.98, settings.b2());
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> OptimizerSettings.paper(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> OptimizerSettings.paper(10).withRates(1e-4, 1e-3, 1.0));
        assertThrows(
                IllegalArgumentException.class,
                () -> OptimizerSettings.paper(10).withRates(-1, 1e-3, 0.1));
    }
}
