package io.clip4stream.app.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChaosPlanTest {
    private static final List<String> VICTIMS =
            List.of("index-a", "index-b", "encoder-a", "encoder-b", "ingest-a", "ingest-b", "broker-0");

    @Test
    void shouldDrawTheSamePlanFromTheSameSeed() {
        assertEquals(ChaosPlan.draw(42, 20, VICTIMS, 4000), ChaosPlan.draw(42, 20, VICTIMS, 4000));
    }

    @Test
    void shouldDrawAnotherPlanFromAnotherSeed() {
        assertNotEquals(
                ChaosPlan.draw(42, 20, VICTIMS, 4000).trials(),
                ChaosPlan.draw(43, 20, VICTIMS, 4000).trials());
    }

    @Test
    void shouldNumberTrialsAndDrawVictimsAndMomentsInRange() {
        ChaosPlan plan = ChaosPlan.draw(7, 200, VICTIMS, 1500);
        assertEquals(200, plan.trials().size());
        Set<String> drawn = new HashSet<>();
        for (int i = 0; i < plan.trials().size(); i++) {
            ChaosPlan.Trial trial = plan.trials().get(i);
            assertEquals(i + 1, trial.number());
            assertTrue(VICTIMS.contains(trial.victim()), trial.toString());
            assertTrue(trial.atMillis() >= 0 && trial.atMillis() < 1500, trial.toString());
            drawn.add(trial.victim());
        }
        // 200 uniform draws over 7 victims miss one with probability below 1e-12; the seed is fixed anyway.
        assertEquals(Set.copyOf(VICTIMS), drawn);
    }

    @Test
    void shouldRefuseAnEmptyPlan() {
        assertThrows(IllegalArgumentException.class, () -> ChaosPlan.draw(1, 0, VICTIMS, 10));
        assertThrows(IllegalArgumentException.class, () -> ChaosPlan.draw(1, 1, List.of(), 10));
        assertThrows(IllegalArgumentException.class, () -> ChaosPlan.draw(1, 1, VICTIMS, 0));
    }
}
