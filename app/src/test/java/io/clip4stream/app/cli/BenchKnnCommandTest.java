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
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(
                        "bench",
                        "knn",
                        "--n",
                        "400",
                        "--dim",
                        "16",
                        "--queries",
                        "20",
                        "--work-dir",
                        work.toString(),
                        "--json");
        assertEquals(0, exit, err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals(400, json.get("vectors").asInt());
        assertEquals(16, json.get("dimension").asInt());
        assertTrue(json.get("exactQps").asDouble() > 0, out.toString());
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
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(
                        "bench",
                        "knn",
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
        assertEquals(0, exit, err.toString());
        JsonNode format =
                new ObjectMapper().readTree(out.toString()).get("formats").get(0);
        JsonNode sweep = format.get("sweep");
        assertEquals(2, sweep.size(), out.toString());
        assertEquals(20, sweep.get(0).get("searchCandidates").asInt());
        assertEquals(400, sweep.get(1).get("searchCandidates").asInt());
        // efSearch equal to the index size visits every vector of the one merged segment: the exact answer.
        assertEquals(1.0, sweep.get(1).get("figures").get("recall").asDouble(), 1e-9, out.toString());
        assertEquals(1, sweep.get(1).get("figures").get("segments").asInt());
        assertTrue(
                sweep.get(1).get("figures").get("recall").asDouble()
                        >= format.get("merged").get("recall").asDouble(),
                out.toString());
    }

    @Test
    void shouldRejectAnEfSearchOutsideItsLimits() {
        StringWriter err = new StringWriter();
        int exit = Clip4StreamCommand.commandLine(
                        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), Map.of())
                .execute("bench", "knn", "--n", "400", "--dim", "16", "--ef-sweep", "0", "--work-dir", work.toString());
        assertTrue(exit != 0, err.toString());
        assertTrue(err.toString().contains("searchCandidates"), err.toString());
    }

    @Test
    void shouldListTheBenchCommands() {
        StringWriter out = new StringWriter();
        Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter()), Map.of())
                .execute("bench", "--help");
        assertTrue(out.toString().contains("knn") && out.toString().contains("freshness"), out.toString());
    }
}
