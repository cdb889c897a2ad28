package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bench rerank} times the tight head alone on a tiny model and prints one JSON object naming what ran. */
class BenchRerankCommandTest {

    @TempDir
    Path work;

    @Test
    void shouldTimeTheTightHeadInTheServicesLanes() throws Exception {
        Path modelDir = work.resolve("model");
        new TinyModelGenerator(5).generate(modelDir, TinyModelShape.defaults(), "tiny-bench-rerank");
        Run run = run("--model-dir", modelDir.toString(), "--candidates", "20", "--threads", "2", "--batch", "8");
        assertEquals(0, run.exit(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("tiny-bench-rerank", json.get("modelId").asText());
        assertEquals(20, json.get("candidates").asInt());
        assertEquals(5, json.get("queries").asInt());
        assertEquals(2, json.get("lanes").asInt(), "20 candidates fill two lanes of at least 8");
        assertEquals(8, json.get("batch").asInt());
        JsonNode latency = json.get("latencyMs");
        double p50 = latency.get("p50").asDouble();
        double p90 = latency.get("p90").asDouble();
        double p99 = latency.get("p99").asDouble();
        double max = latency.get("max").asDouble();
        assertTrue(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, latency.toString());
        assertTrue(json.get("matmulGflopsBefore").asDouble() > 0, json.toString());
        // FLOPs are counted for the generated ViT-B/32-shaped model only; this tiny one has no floor.
        assertEquals(0, json.get("floorMs").asDouble());
        assertEquals(0, json.get("p99OverFloor").asDouble());
    }

    @Test
    void shouldRefuseNoCandidates() {
        Run run = run("--model-dir", work.resolve("never-made").toString(), "--candidates", "0");
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("must be positive"), run.err());
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... options) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] common = {"bench", "rerank", "--queries", "5", "--warmup", "1", "--json"};
        String[] args = Stream.concat(Stream.of(common), Stream.of(options)).toArray(String[]::new);
        int exit = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
