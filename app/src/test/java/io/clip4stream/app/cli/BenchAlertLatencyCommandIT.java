package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code bench alert-latency} end to end on a few clips: the agreed JSON, alerts for the clips, sane figures. */
class BenchAlertLatencyCommandIT {

    @Test
    void printsTheAgreedJsonWithAnAlertPerClip() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute("bench", "alert-latency", "--clips", "8", "--frames", "4", "--json");
        assertEquals(0, code, err.toString());

        JsonNode json = new ObjectMapper().readTree(out.toString());
        for (String field : List.of("alerts", "p50_ms", "p95_ms", "freshness_p95_ms")) {
            assertTrue(json.has(field), field + " in " + out);
        }
        assertTrue(json.get("alerts").isIntegralNumber(), out.toString());
        assertTrue(json.get("alerts").asInt() > 0, out + "\n" + err);
        assertTrue(json.get("alerts").asInt() <= 8, out.toString());
        for (String field : List.of("p50_ms", "p95_ms", "freshness_p95_ms")) {
            assertTrue(json.get(field).isNumber(), field + " in " + out);
            assertTrue(json.get(field).asDouble() >= 0, field + " in " + out);
        }
        assertTrue(json.get("p95_ms").asDouble() >= json.get("p50_ms").asDouble(), out.toString());
    }

    @Test
    void parsesWithHelp() {
        StringWriter out = new StringWriter();
        int code = Clip4StreamCommand.commandLine(
                        new PrintWriter(out, true), new PrintWriter(new StringWriter()), Map.of())
                .execute("bench", "alert-latency", "--help");
        assertEquals(0, code);
        assertTrue(out.toString().contains("--json"), out.toString());
    }
}
