package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(args);
    }

    @Test
    void shouldPassParityOnTheBundledFixtures() throws Exception {
        assertEquals(0, run("model", "parity", "--json"), err.toString());
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertTrue(report.get("passed").asBoolean());
        assertTrue(report.get("tensors").size() >= 30, out.toString());
    }

    @Test
    void shouldRejectAFolderThatIsNotAFixture(@TempDir Path dir) {
        assertEquals(2, run("model", "parity", dir.toString()));
        assertTrue(err.toString().contains("not a parity fixture"), err.toString());
    }

    @Test
    void shouldPrintOneLineOfIdsPerText() {
        assertEquals(0, run("model", "tokenize", "--max-words", "8", "a man riding a bike", ""));
        String[] lines = out.toString().strip().split("\\R");
        assertEquals(2, lines.length);
        String[] first = lines[0].split(" ");
        assertEquals(8, first.length);
        assertEquals("49406", first[0], "starts with <|startoftext|>");
        assertTrue(lines[0].contains("49407"), "ends its text with <|endoftext|>");
        assertEquals("49406 49407 0 0 0 0 0 0", lines[1]);
    }

    @Test
    void shouldWriteTheTinyModelAndDescribeIt(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("tiny");
        assertEquals(0, run("model", "tiny", model.toString()), err.toString());
        assertTrue(Files.isRegularFile(model.resolve("config.json")));

        out.getBuffer().setLength(0);
        assertEquals(0, run("model", "info", "--json", model.toString()), err.toString());
        JsonNode info = new ObjectMapper().readTree(out.toString());
        assertEquals(TinyModel.MODEL_ID, info.get("modelId").asText());
        assertTrue(info.get("tightHead").asBoolean());
        assertEquals(64, info.get("embedDim").asInt());
    }

    @Test
    void describesTheBundledDefaultModelWithTheIssuesFieldNames(@TempDir Path dir) throws Exception {
        Path model = io.clip4stream.app.demo.DefaultModel.ensure(dir.resolve("default"));

        assertEquals(0, run("model", "info", "--json", model.toString()), err.toString());
        JsonNode info = new ObjectMapper().readTree(out.toString());
        assertEquals("synthetic-world", info.get("knows").asText());
        assertEquals(
                "[\"seqTransf\",\"tightTransf\"]", info.get("trained_heads").toString());
        assertTrue(!info.has("trainedHeads"), "one name for the trained heads: " + info);
        // Its re-ranker fuses with the first stage at the weight train-demo chose on its validation split.
        double weight = info.get("rerank_first_stage_weight").asDouble();
        assertTrue(weight >= 0, info.toString());
        JsonNode config =
                new ObjectMapper().readTree(model.resolve("config.json").toFile());
        assertEquals(config.get("rerank").get("first_stage_weight").asDouble(), weight);
    }

    @Test
    void shouldExplainAModelDirectoryThatDoesNotExist(@TempDir Path dir) {
        assertEquals(1, run("model", "info", dir.resolve("nope").toString()));
        assertTrue(err.toString().startsWith("Error:"), err.toString());
    }

    @Test
    void shouldNameTheFormatsItReadsWhenGivenSomethingElse(@TempDir Path dir) throws Exception {
        Path checkpoint = Files.writeString(dir.resolve("pytorch_model.bin"), "not a checkpoint");
        assertEquals(
                1,
                run(
                        "model",
                        "convert",
                        checkpoint.toString(),
                        dir.resolve("out").toString()));
        assertTrue(err.toString().contains("neither a PyTorch zip checkpoint"), err.toString());
        assertTrue(!Files.exists(dir.resolve("out").resolve("config.json")));
    }

    @Test
    void convertWritesTheNamedFrameEncodingAndRefusesAnUnknownOne(@TempDir Path dir) throws Exception {
        Path tiny = dir.resolve("tiny");
        assertEquals(0, run("model", "tiny", tiny.toString()), err.toString());
        Path weights = tiny.resolve("weights.safetensors");

        assertEquals(
                0,
                run(
                        "model",
                        "convert",
                        "--frame-encoding",
                        "int10",
                        weights.toString(),
                        dir.resolve("out").toString()),
                err.toString());
        JsonNode config = new ObjectMapper()
                .readTree(dir.resolve("out").resolve("config.json").toFile());
        assertEquals("int10", config.get("frame_encoding").asText());

        assertEquals(
                2,
                run(
                        "model",
                        "convert",
                        "--frame-encoding",
                        "bf16",
                        weights.toString(),
                        dir.resolve("bad").toString()),
                err.toString());
        assertTrue(err.toString().contains("float32, float16, int8, int10"), err.toString());
        assertTrue(!Files.exists(dir.resolve("bad").resolve("config.json")));
        // Any refused option is a usage error naming the problem (it once surfaced as picocli's own complaint).
        err.getBuffer().setLength(0);
        assertEquals(
                2,
                run(
                        "model",
                        "convert",
                        "--sim-header",
                        "maxP",
                        weights.toString(),
                        dir.resolve("bad").toString()),
                err.toString());
        assertTrue(err.toString().contains("maxP"), err.toString());
    }
}
