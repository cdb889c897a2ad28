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

/** {@code bench load} end to end on a short run: the all-in-one run, searches at a fixed rate, one JSON object. */
class LoadBenchCommandIT {

    @Test
    void printsTheAgreedJsonAndAccountsForEveryRequest() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute("bench", "load", "--seconds", "2", "--rate", "5", "--json");
        assertEquals(0, code, err.toString());

        JsonNode json = new ObjectMapper().readTree(out.toString());
        for (String field : List.of("requests", "ok", "rejected_503", "errors", "p50_ms", "p99_ms", "health_max_ms")) {
            assertTrue(json.has(field), field + " in " + out);
        }
        assertEquals(10, json.get("requests").asLong(), out.toString());
        assertEquals(
                json.get("requests").asLong(),
                json.get("ok").asLong()
                        + json.get("rejected_503").asLong()
                        + json.get("errors").asLong(),
                out.toString());
        // A light load on an idle machine: every search answers, and health answered every probe.
        assertEquals(0, json.get("errors").asLong(), out.toString());
        assertTrue(json.get("ok").asLong() > 0, out.toString());
        assertTrue(json.get("health_probes").asLong() > 0, out.toString());
        assertEquals(0, json.get("health_failures").asLong(), out.toString());
        assertTrue(json.get("p99_ms").asDouble() >= json.get("p50_ms").asDouble(), out.toString());
        assertEquals(10, json.get("baseline").get("requests").asLong(), out.toString());
    }
}
