package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench chaos} in short, as CI runs it: two trials on the three-broker cluster with two instances of every
 * service, each trial crashing one; nothing may be lost, doubled or unsearchable.
 */
class BenchChaosCommandIT {
    @TempDir
    Path dir;

    @Test
    void shouldLoseAndDoubleNothingOverTwoCrashes() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(
                        "bench",
                        "chaos",
                        "--trials",
                        "2",
                        "--json",
                        "--video-seconds",
                        "6",
                        "--work-dir",
                        dir.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString());
        String context = out + "\n" + err;
        for (String field : List.of("trials", "clips_expected", "lost", "doubled", "unsearchable", "per_trial")) {
            assertTrue(json.has(field), field + " in " + context);
        }
        assertEquals(2, json.get("trials").asInt(), context);
        assertEquals(2, json.get("per_trial").size(), context);
        // 2 trials x 2 sources x 6 s at 10 fps sampled at 4 fps: 24 frames, 2 clips of 12 each.
        assertEquals(8, json.get("clips_expected").asInt(), context);
        assertEquals(0, json.get("lost").asInt(), context);
        assertEquals(0, json.get("doubled").asInt(), context);
        assertEquals(0, json.get("unsearchable").asInt(), context);
        assertEquals(0, json.get("unexpected").asInt(), context);
        for (JsonNode trial : json.get("per_trial")) {
            assertTrue(trial.get("killed").asText().matches("(ingest|encoder|index|query)-[ab]|broker-\\d+"), context);
            assertTrue(trial.get("at_ms").asLong() >= 0, context);
            assertEquals(0, trial.get("lost").asInt(), context);
            assertEquals(0, trial.get("doubled").asInt(), context);
            assertTrue(trial.get("settled").asBoolean(), context);
        }
        assertEquals(0, code, context);
    }
}
