package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench query} runs end to end over real Lucene shards and over exact-scan shards, on a tiny model, and prints
 * one JSON object naming what ran.
 */
class QueryBenchCommandTest {

    @TempDir
    Path work;

    private Path modelDir;

    @BeforeEach
    void generateModel() throws Exception {
        modelDir = work.resolve("model");
        new TinyModelGenerator(3).generate(modelDir, TinyModelShape.defaults(), "tiny-bench-query");
    }

    @Test
    void shouldMeasureQueriesOverLuceneShardsAndDeleteThemAfterwards() throws Exception {
        Path shards = work.resolve("shards");
        Run run = run("--index", "lucene", "--work-dir", shards.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("lucene", json.get("options").get("index").asText());
        assertEquals("float16", json.get("options").get("frameEncoding").asText());
        assertEquals("packed-base64", json.get("options").get("wireEncoding").asText(), "the service's default");
        assertFigures(json);
        assertTrue(json.get("model").get("tightHead").asBoolean(), "re-ranking fetches frames from the shards");
        double recall = json.get("firstStageRecall").get("atK").asDouble();
        assertTrue(recall > 0.5 && recall <= 1, "recall " + recall);
        assertTrue(run.err().contains("force-merged to 1 segment"), run.err());
        try (Stream<Path> left = Files.list(shards)) {
            assertEquals(0, left.count(), "the shards' indexes are deleted at the end");
        }
    }

    @Test
    void shouldKeepTheExactScanShardsAsTheBaseline() throws Exception {
        Run run = run("--index", "exact");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("exact", json.get("options").get("index").asText());
        assertFigures(json);
        assertEquals(1.0, json.get("firstStageRecall").get("atCandidates").asDouble(), 1e-9, run.out());
    }

    @Test
    void shouldReRankWithFramesSentAsFloat32() throws Exception {
        Run run = run("--index", "lucene", "--wire-encoding", "f32le-base64", "--work-dir", work.toString());
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("f32le-base64", json.get("options").get("wireEncoding").asText());
        assertFigures(json);
    }

    @Test
    void shouldRejectAnUnknownWireEncoding() {
        Run run = run("--wire-encoding", "floats");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("--wire-encoding must be f32le-base64 or packed-base64"), run.err());
    }

    @Test
    void shouldRejectAnUnknownIndex() {
        Run run = run("--index", "faiss");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("--index must be lucene or exact"), run.err());
    }

    private static void assertFigures(JsonNode json) {
        assertTrue(json.get("firstStage").get("total").get("p99").asDouble() > 0, json.toString());
        assertTrue(json.get("reranked").get("total").get("p99").asDouble() > 0, json.toString());
        assertTrue(json.get("firstStage").get("scan").get("p50").asDouble() > 0, json.toString());
        assertEquals(0, json.get("partialAnswers").asInt());
        // The recall is measured on the warm-up and measured texts of the re-ranked mode: 1 + 5.
        assertEquals(6, json.get("firstStageRecall").get("queries").asInt());
    }

    private record Run(int exit, String out, String err) {}

    private Run run(String... options) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] common = {
            "bench",
            "query",
            "--clips",
            "500",
            "--queries",
            "5",
            "--warmup",
            "1",
            "--json",
            "--model-dir",
            modelDir.toString()
        };
        String[] args = Stream.concat(Stream.of(common), Stream.of(options)).toArray(String[]::new);
        int exit = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
