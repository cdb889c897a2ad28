package io.clip4stream.app.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosReportTest {
    private static final ChaosReport.TrialResult KILLED_ENCODER =
            new ChaosReport.TrialResult(1, "encoder-b", 1234, 1200, 5000, 9000, true, new ClipTally(6, 0, 0, 0, 0));
    private static final ChaosReport.TrialResult STOPPED_BROKER =
            new ChaosReport.TrialResult(2, "broker-2", 10, 8, 7000, 12000, true, new ClipTally(6, 1, 2, 1, 0));

    @Test
    void shouldPrintTheAgreedKeys() {
        ChaosReport report =
                new ChaosReport(9, new ClipTally(12, 1, 2, 1, 0), List.of(KILLED_ENCODER, STOPPED_BROKER), 61.23);
        Map<String, Object> json = report.toJson();

        assertEquals(2, json.get("trials"));
        assertEquals(12, json.get("clips_expected"));
        assertEquals(1, json.get("lost"));
        assertEquals(2, json.get("doubled"));
        assertEquals(1, json.get("unsearchable"));
        assertEquals(61.2, json.get("wall_s"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> trials = (List<Map<String, Object>>) json.get("per_trial");
        assertEquals(2, trials.size());
        assertEquals("encoder-b", trials.get(0).get("killed"));
        assertEquals(1234L, trials.get(0).get("at_ms"));
        assertEquals(0, trials.get(0).get("lost"));
        assertEquals("broker-2", trials.get(1).get("killed"));
        assertEquals(1, trials.get(1).get("lost"));
        assertEquals(2, trials.get(1).get("doubled"));
    }

    @Test
    void shouldBeCleanOnlyWhenNoClipWentWrong() {
        assertTrue(new ChaosReport(1, new ClipTally(6, 0, 0, 0, 0), List.of(KILLED_ENCODER), 1).clean());
        assertFalse(new ChaosReport(1, new ClipTally(6, 0, 1, 0, 0), List.of(KILLED_ENCODER), 1).clean());
        assertFalse(new ChaosReport(1, new ClipTally(6, 0, 0, 0, 1), List.of(KILLED_ENCODER), 1).clean());
    }
}
