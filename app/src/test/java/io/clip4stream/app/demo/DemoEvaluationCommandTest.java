package io.clip4stream.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.cli.Clip4StreamCommand;
import io.clip4stream.model.spec.SimilarityHead;
import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model eval MODEL --demo-world --json}: the interface other checks read. */
class DemoEvaluationCommandTest {

    @Test
    void printsFirstStageAndRerankedFiguresAsFractions(@TempDir Path dir) throws Exception {
        Path model = new TinyModelGenerator(3)
                .generate(dir.resolve("tiny"), TinyModelShape.defaults().withHead(SimilarityHead.SEQ_TRANSF), "tiny")
                .root();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(
                        "model",
                        "eval",
                        model.toString(),
                        "--demo-world",
                        "--clips",
                        "6",
                        "--seed",
                        "5",
                        "--threads",
                        "1",
                        "--cache",
                        dir.resolve("work").toString(),
                        "--json");
        assertEquals(0, code, err.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertEquals(6, json.get("clips").asInt());
        assertEquals(5, json.get("seed").asLong());
        for (String stage : new String[] {"first_stage", "reranked"}) {
            JsonNode figures = json.get(stage);
            for (String key : new String[] {"r1", "r5", "r10"}) {
                double value = figures.get(key).asDouble();
                assertTrue(value >= 0 && value <= 1, stage + "." + key + " = " + value);
            }
            assertTrue(figures.get("mdr").asDouble() >= 1, out.toString());
        }
        // Six clips: every caption's own clip is within the top 10.
        assertEquals(1.0, json.get("first_stage").get("r10").asDouble());
    }
}
