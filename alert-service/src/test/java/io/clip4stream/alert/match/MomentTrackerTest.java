package io.clip4stream.alert.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MomentTrackerTest {
    private static final Duration GAP = Duration.ofSeconds(10);
    private static final long CLIP = 4_000_000L;

    private final List<MomentTracker.MomentEvent> events = new ArrayList<>();
    private MomentState state = MomentState.NONE;

    private void feed(int index, double score, Duration cooldown) {
        ClipScore clip = new ClipScore("c" + index, index * CLIP, (index + 1) * CLIP, score, 100 + index);
        MomentTracker.Step step = MomentTracker.step("q", "cam", state, clip, 0.5, GAP, cooldown);
        state = MomentState.fromBytes(step.next().toBytes());
        events.addAll(step.events());
    }

    @Test
    void shouldMergeConsecutiveMatchesIntoOneMomentAndCloseItAfterTheGap() {
        double[] scores = {0.1, 0.6, 0.7, 0.4, 0.9, 0.2, 0.2, 0.2, 0.2};
        for (int i = 0; i < scores.length; i++) {
            feed(i, scores[i], Duration.ZERO);
        }
        // Opened at clip 1, extended by 2 and 4 (3 is within the gap), closed once clip 7 starts 12 s after it.
        assertEquals(4, events.size());
        Moment last = events.getLast().moment();
        assertTrue(events.getLast().closed());
        assertEquals(Moment.alertId("q", "cam", CLIP), last.alertId());
        events.forEach(e -> assertEquals(last.alertId(), e.moment().alertId()));
        assertEquals(CLIP, last.startMicros());
        assertEquals(5 * CLIP, last.endMicros());
        assertEquals("c4", last.bestClipId());
        assertEquals(0.9, last.bestScore());
        assertEquals(3, last.clips());
        assertEquals(
                List.of(0, 1, 2, 3),
                events.stream().map(e -> e.moment().revision()).toList());
        assertTrue(state.open().isEmpty());
    }

    @Test
    void shouldOpenANewMomentOnlyAfterTheCooldown() {
        feed(0, 0.9, Duration.ofSeconds(20));
        feed(4, 0.9, Duration.ofSeconds(20)); // 12 s after clip 0 ended: closes it; inside the cool-down
        feed(8, 0.9, Duration.ofSeconds(20)); // 28 s after: the cool-down is over
        List<String> opened = events.stream()
                .filter(e -> e.moment().revision() == 0)
                .map(e -> e.moment().alertId())
                .toList();
        assertEquals(2, opened.size());
        assertNotEquals(opened.get(0), opened.get(1));
        assertEquals(Moment.alertId("q", "cam", 8 * CLIP), opened.get(1));
        assertTrue(events.get(1).closed());
    }

    @Test
    void shouldNeverReopenForALateClipOfAClosedMoment() {
        feed(0, 0.9, Duration.ZERO);
        feed(5, 0.1, Duration.ZERO); // closes the first moment
        feed(0, 0.9, Duration.ZERO); // a late duplicate of clip 0
        assertEquals(2, events.size());
        assertTrue(state.open().isEmpty());
    }

    @Test
    void shouldCloseAnOpenMomentWhenAskedTo() {
        feed(0, 0.9, Duration.ZERO);
        MomentTracker.Step step = MomentTracker.close(state);
        assertEquals(1, step.events().size());
        assertTrue(step.events().getFirst().closed());
        assertFalse(step.next().open().isPresent());
        assertEquals(CLIP, step.next().lastClosedEndMicros());
        assertTrue(MomentTracker.close(step.next()).events().isEmpty());
    }
}
