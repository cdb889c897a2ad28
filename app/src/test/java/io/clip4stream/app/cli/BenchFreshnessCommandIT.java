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

/** {@code bench freshness --live} on a few fast frames: the agreed JSON, every frame and closed clip measured. */
class BenchFreshnessCommandIT {

    @Test
    void liveRunPrintsTheAgreedJson() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute("bench", "freshness", "--live", "--live-frames", "8", "--fps", "4", "--frames", "3", "--json");
        assertEquals(0, code, err.toString());

        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals(8, json.get("frames").asInt(), out.toString());
        for (String figure : List.of("event_to_searchable", "boundary_to_searchable")) {
            for (String field : List.of("p50_ms", "p95_ms")) {
                assertTrue(json.get(figure).get(field).isNumber(), figure + "." + field + " in " + out);
                assertTrue(json.get(figure).get(field).asDouble() >= 0, figure + "." + field + " in " + out);
            }
            assertTrue(
                    json.get(figure).get("p95_ms").asDouble()
                            >= json.get(figure).get("p50_ms").asDouble(),
                    out.toString());
        }
        assertEquals(8, json.get("event_to_searchable").get("count").asInt(), "every frame measured");
        assertEquals(2, json.get("boundary_to_searchable").get("count").asInt(), "8 frames close 2 clips of 3");
        assertEquals(2, json.get("provisional_every_frames").asInt(), "the service default");
    }

    @Test
    void parsesWithHelp() {
        StringWriter out = new StringWriter();
        int code = Clip4StreamCommand.commandLine(
                        new PrintWriter(out, true), new PrintWriter(new StringWriter()), Map.of())
                .execute("bench", "freshness", "--help");
        assertEquals(0, code);
        assertTrue(out.toString().contains("--live"), out.toString());
        assertTrue(out.toString().contains("--json"), out.toString());
    }
}
