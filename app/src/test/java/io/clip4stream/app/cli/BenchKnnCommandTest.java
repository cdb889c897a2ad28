package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench knn} runs end to end on a small index and prints one JSON object with every figure. */
class BenchKnnCommandTest {

    @TempDir
    Path work;

    @Test
    void shouldPrintRecallAndQpsOfEachFormatNextToTheExactScan() throws Exception {
        Run run = run("--n", "400", "--dim", "16", "--queries", "20", "--work-dir", work.toString(), "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(400, json.get("vectors").asInt());
        assertEquals(16, json.get("dimension").asInt());
        assertTrue(json.get("exactQps").asDouble() > 0, run.out());
        assertEquals(2, json.get("formats").size());
        assertEquals("float32", json.get("formats").get(0).get("format").asText());
        assertEquals("int7", json.get("formats").get(1).get("format").asText());
        for (JsonNode format : json.get("formats")) {
            double recall = format.get("merged").get("recall").asDouble();
            assertTrue(recall > 0.5 && recall <= 1.0, "recall " + recall);
            assertTrue(format.get("indexBytes").asLong() > 0);
            assertTrue(format.get("vectorFileBytes").asLong() > 0);
        }
    }

    @Test
    void shouldMeasureTheMergedIndexAgainWithEachEfSearchOfTheSweep() throws Exception {
        Run run = run(
                "--n",
                "400",
                "--dim",
                "16",
                "--queries",
                "20",
                "--quantized",
                "none",
                "--merge",
                "--ef",
                "10",
                "--ef-sweep",
                "20,400",
                "--work-dir",
                work.toString(),
                "--json");
        assertEquals(0, run.exit(), run.err());
        String out = run.out();
        JsonNode format = new ObjectMapper().readTree(out).get("formats").get(0);
        JsonNode sweep = format.get("sweep");
        assertEquals(2, sweep.size(), out);
        assertEquals(20, sweep.get(0).get("searchCandidates").asInt());
        assertEquals(400, sweep.get(1).get("searchCandidates").asInt());
        // efSearch equal to the index size visits every vector of the one merged segment: the exact answer.
        assertEquals(1.0, sweep.get(1).get("figures").get("recall").asDouble(), 1e-9, out);
        assertEquals(1, sweep.get(1).get("figures").get("segments").asInt());
        assertTrue(
                sweep.get(1).get("figures").get("recall").asDouble()
                        >= format.get("merged").get("recall").asDouble(),
                out);
    }

    @Test
    void shouldRejectAnEfSearchOutsideItsLimits() {
        Run run = run("--n", "400", "--dim", "16", "--ef-sweep", "0", "--work-dir", work.toString());
        assertTrue(run.exit() != 0, run.err());
        assertTrue(run.err().contains("searchCandidates"), run.err());
    }

    /** What one {@code bench knn} run printed and returned. */
    private record Run(int exit, String out, String err) {}

    private static Run run(String... options) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[options.length + 2];
        args[0] = "bench";
        args[1] = "knn";
        System.arraycopy(options, 0, args, 2, options.length);
        int exit = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void shouldListTheBenchCommands() {
        StringWriter out = new StringWriter();
        Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter()), Map.of())
                .execute("bench", "--help");
        assertTrue(out.toString().contains("knn") && out.toString().contains("freshness"), out.toString());
        assertTrue(out.toString().contains("chaos"), out.toString());
    }
}
