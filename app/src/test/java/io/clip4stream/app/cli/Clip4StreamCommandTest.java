package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Clip4StreamCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(args);
    }

    @Test
    void shouldListEveryCommandInHelp() {
        assertEquals(0, run("--help"));
        for (String command : new String[] {"version", "broker", "bench", "help"}) {
            assertTrue(out.toString().contains(command), out.toString());
        }
    }

    @Test
    void shouldPrintVersionsAsOneJsonObject() throws Exception {
        assertEquals(0, run("version", "--json"));
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertTrue(json.get("version").asText().matches("\\d+\\.\\d+\\.\\d+.*"), out.toString());
        assertTrue(json.get("kafka").asText().startsWith("4."), out.toString());
        assertEquals(Runtime.version().toString(), json.get("java").asText());
    }

    @Test
    void shouldListTheBenchmarks() {
        assertEquals(0, run("bench"));
        assertTrue(out.toString().contains("encoder-service"), out.toString());
    }

    @Test
    void shouldRejectUnknownCommandsWithUsage() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err.toString().contains("Unmatched argument"), err.toString());
    }
}
