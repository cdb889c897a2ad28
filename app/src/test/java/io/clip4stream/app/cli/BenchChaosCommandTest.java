package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchChaosCommandTest {
    @Test
    void shouldDescribeItsOptions() {
        StringWriter out = new StringWriter();
        int code = Clip4StreamCommand.commandLine(
                        new PrintWriter(out, true), new PrintWriter(new StringWriter()), Map.of())
                .execute("bench", "chaos", "--help");
        assertEquals(0, code);
        for (String option : new String[] {"--trials", "--seed", "--json", "--video-seconds", "--window-ms"}) {
            assertTrue(out.toString().contains(option), option + " in " + out);
        }
    }

    @Test
    void shouldRefuseZeroTrialsBeforeStartingAnything() {
        StringWriter err = new StringWriter();
        int code = Clip4StreamCommand.commandLine(
                        new PrintWriter(new StringWriter()), new PrintWriter(err, true), Map.of())
                .execute("bench", "chaos", "--trials", "0");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("must be positive"), err.toString());
    }
}
