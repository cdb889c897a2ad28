package io.clip4stream.alert.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertLatencyProbeTest {

    @Test
    void summarisesOnlyClipsWhoseAlertArrived() {
        Map<String, Long> produced = Map.of("a@1", 1_000_000L, "a@2", 2_000_000L, "b@1", 3_000_000L);
        Map<String, Long> arrived = Map.of("a@1", 11_000_000L, "a@2", 32_000_000L, "c@9", 99_000_000L);

        AlertLatencyProbe.Result result = AlertLatencyProbe.summarise(produced, arrived);

        assertEquals(2, result.alerts());
        assertEquals(30.0, result.p50Millis());
        assertEquals(30.0, result.p95Millis());
        assertEquals(30.0, result.maxMillis());
    }

    @Test
    void reportsNoAlertsAsZeros() {
        assertEquals(
                new AlertLatencyProbe.Result(0, 0, 0, 0), AlertLatencyProbe.summarise(Map.of("a@1", 1L), Map.of()));
    }
}
