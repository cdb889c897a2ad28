package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model train-parity}, {@code train} and {@code model eval} through the command line. */
class TrainCommandTest {

    /** The training fixtures the model module's tests use (copied once from the original code's output). */
    private static final Path FIXTURES = Path.of("../model/src/test/resources/parity/training");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(args);
    }

    @Test
    void trainParityPassesOnTheOriginalTrainingFixtures() throws Exception {
        int code = run("model", "train-parity", "--json", FIXTURES.toString());
        assertEquals(0, code, () -> "stderr: " + err + "\nstdout: " + out);
        JsonNode report = new ObjectMapper().readTree(out.toString());
        assertTrue(report.get("passed").asBoolean());
        assertEquals(7, report.get("fixtures").size());
        assertTrue(report.get("worst_ratio").asDouble() <= 1.0);

        assertEquals(0, run("model", "train-parity", FIXTURES.toString()), err.toString());
        assertTrue(out.toString().contains("TRAIN PARITY OK"), out.toString());
        assertTrue(out.toString().contains("worst ratio"), out.toString());
    }

    @Test
    void trainParityFailsWhenABoundIsTighterThanTheMatch(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("training");
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(FIXTURES)) {
            for (Path file : files.toList()) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest =
                (ObjectNode) json.readTree(copy.resolve("manifest.json").toFile());
        manifest.put(
                "model_fixture",
                FIXTURES.resolve(manifest.get("model_fixture").asText())
                        .toAbsolutePath()
                        .normalize()
                        .toString());
        ObjectNode fixtures = (ObjectNode) manifest.get("fixtures");
        fixtures.retain("meanP-freeze0");
        ((ObjectNode) fixtures.get("meanP-freeze0").get("tolerance").get("loss")).put("atol", 1e-30);
        json.writeValue(copy.resolve("manifest.json").toFile(), manifest);

        assertEquals(1, run("model", "train-parity", "--json", copy.toString()), err.toString());
        JsonNode report = json.readTree(out.toString());
        assertFalse(report.get("passed").asBoolean());
        assertEquals("loss", report.get("fixtures").get(0).get("worst_tensor").asText());
    }

    @Test
    void trainParityRejectsAFolderWithoutManifest(@TempDir Path dir) {
        assertEquals(2, run("model", "train-parity", dir.toString()));
        assertTrue(err.toString().contains("not a training fixture set"), err.toString());
    }

    @Test
    void trainFromTheClusterNeedsCLIPFrozenAndNoData(@TempDir Path dir) {
        String out = dir.resolve("out").toString();

        assertEquals(2, run("train", "--from-cluster", "--head", "seqTransf", "--out", out));
        assertTrue(err.toString().contains("add --freeze-clip"), err.toString());
        assertEquals(2, run("train", "data.jsonl", "--from-cluster", "--freeze-clip", "--out", out));
        assertTrue(err.toString().contains("either DATA or --from-cluster"), err.toString());
        assertEquals(2, run("train", "data.jsonl", "--out", out));
        assertTrue(err.toString().contains("--init MODEL is required"), err.toString());
    }
}
