package io.clip4stream.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clip4stream.app.cli.Clip4StreamCommand;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model eval MODEL --demo-world --json}: the interface other checks read. */
class DemoEvaluationCommandTest {

    /** More clips than recall@10 looks at, so that every recall can fall short of 1. */
    private static final int CLIPS = 12;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @Test
    void printsFirstStageAndRerankedFiguresAsFractions(@TempDir Path dir) throws Exception {
        Path model = new TinyModelGenerator(3)
                .generate(dir.resolve("tiny"), TinyModelShape.defaults().withHead(SimilarityHead.SEQ_TRANSF), "tiny")
                .root();
        int code = run(model, dir);

        assertEquals(0, code, err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals(CLIPS, json.get("clips").asInt());
        assertEquals(5, json.get("seed").asLong());
        for (String stage : new String[] {"first_stage", "reranked"}) {
            JsonNode figures = json.get(stage);
            double previous = 0;
            for (String key : new String[] {"r1", "r5", "r10"}) {
                double value = figures.get(key).asDouble();
                assertTrue(value >= previous && value <= 1, stage + "." + key + " = " + value + " in " + figures);
                // Fractions of the clip count: k of 12 captions, not a percentage and not rounded.
                double captions = value * CLIPS;
                assertEquals(Math.rint(captions), captions, 1e-9, stage + "." + key + " = " + value);
                previous = value;
            }
            double mdr = figures.get("mdr").asDouble();
            assertTrue(mdr >= 1 && mdr <= CLIPS, out.toString());
        }
    }

    @Test
    void reportsNoRerankForAModelWhoseTightHeadWasNeverTrained(@TempDir Path dir) throws Exception {
        Path model = new TinyModelGenerator(3)
                .generate(dir.resolve("tiny"), TinyModelShape.defaults().withHead(SimilarityHead.SEQ_TRANSF), "tiny")
                .root();
        Path config = model.resolve("config.json");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(config.toFile());
        json.putArray("trained_heads").add("seqTransf");
        Files.writeString(config, json.toString());

        int code = run(model, dir);

        assertEquals(0, code, err.toString());
        JsonNode figures = new ObjectMapper().readTree(out.toString());
        assertTrue(figures.get("reranked").isNull(), "untrained tight weights are not used: " + figures);
        assertTrue(figures.get("first_stage").get("r1").isNumber(), figures.toString());
    }

    @Test
    void reranksWithTheFusionTheModelRecords(@TempDir Path dir) throws Exception {
        Path model = new TinyModelGenerator(3)
                .generate(dir.resolve("tiny"), TinyModelShape.defaults().withHead(SimilarityHead.SEQ_TRANSF), "tiny")
                .root();
        assertEquals(0, run(model, dir), err.toString());
        JsonNode tightAlone = new ObjectMapper().readTree(out.toString());
        // The random tight head must reorder for this test to show anything: it does (the seed is fixed).
        assertTrue(
                java.util.stream.Stream.of("r1", "r5", "mdr")
                        .anyMatch(key -> tightAlone.get("first_stage").get(key).asDouble()
                                != tightAlone.get("reranked").get(key).asDouble()),
                tightAlone.toString());
        out.getBuffer().setLength(0);
        Path config = model.resolve("config.json");
        ObjectNode json = (ObjectNode) new ObjectMapper().readTree(config.toFile());
        // A weight so large that the first stage's cosine decides: re-ranking must then keep the first stage's order.
        json.putObject("rerank").put("first_stage_weight", 1e6);
        Files.writeString(config, json.toString());

        int code = run(model, dir);

        assertEquals(0, code, err.toString());
        JsonNode figures = new ObjectMapper().readTree(out.toString());
        for (String key : new String[] {"r1", "r5", "r10", "mdr"}) {
            assertEquals(
                    figures.get("first_stage").get(key).asDouble(),
                    figures.get("reranked").get(key).asDouble(),
                    1e-9,
                    key + " in " + figures);
        }
    }

    private int run(Path model, Path dir) {
        return Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(
                        "model",
                        "eval",
                        model.toString(),
                        "--demo-world",
                        "--clips",
                        Integer.toString(CLIPS),
                        "--seed",
                        "5",
                        "--threads",
                        "1",
                        "--cache",
                        dir.resolve("work").toString(),
                        "--json");
    }
}
