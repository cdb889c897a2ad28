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
    void shouldCompareEveryFormatOfTheListInOneRunAndNameTheBest() throws Exception {
        Run run = run(
                "--n",
                "400",
                "--dim",
                "16",
                "--queries",
                "20",
                "--format",
                "float32,int4,bit1",
                "--ef",
                "400",
                "--work-dir",
                work.toString(),
                "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(3, json.get("formats").size(), run.out());
        assertEquals("int4", json.get("formats").get(1).get("format").asText());
        assertEquals("bit1", json.get("formats").get(2).get("format").asText());
        for (JsonNode format : json.get("formats")) {
            // efSearch above the vector count with rescoring: exact for every format.
            assertEquals(1.0, format.get("merged").get("recall").asDouble(), 1e-9, run.out());
            assertTrue(format.get("bytesPerVector").asDouble() > 0);
            assertTrue(format.get("searchBytesPerVector").asDouble() > 0);
        }
        assertTrue(
                List.of("float32", "int4", "bit1")
                        .contains(json.get("bestFormat").asText()),
                run.out());
    }

    @Test
    void shouldStreamVectorsInLiveAndReportEachStateWithTheFiguresOfBenchKnn() throws Exception {
        Run run = run(
                "--live",
                "--n",
                "500",
                "--dim",
                "8",
                "--queries",
                "20",
                "--rate",
                "2000",
                "--ef",
                "1000",
                "--refresh-ms",
                "20",
                "--idle-merge-ms",
                "100",
                "--work-dir",
                work.toString(),
                "--json");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals(500, json.get("vectors").asInt());
        for (String state : List.of("afterIngest", "idleMerged")) {
            JsonNode figures = json.get(state);
            for (String field : List.of("recall", "qps", "exactQps", "segments")) {
                assertTrue(figures.has(field), state + " lacks " + field + ": " + run.out());
            }
            assertEquals(1.0, figures.get("recall").asDouble(), 1e-9, run.out());
        }
        assertEquals(1, json.get("idleMerged").get("segments").asInt());
        assertTrue(json.get("segmentsOverTime").size() >= 1);
        assertTrue(
                json.has("mergeSeconds")
                        && json.has("windows")
                        && json.get("lastWindowSweep").isArray(),
                run.out());
    }

    @Test
    void shouldPrintTheLiveOptionsInItsHelp() {
        Run run = run("--help");
        assertEquals(0, run.exit());
        assertTrue(run.out().contains("--live")
                && run.out().contains("--rate")
                && run.out().contains("--format"));
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
        assertTrue(out.toString().contains("storage"), out.toString());
    }
}
