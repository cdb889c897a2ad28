package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import io.clip4stream.testkit.LoopbackFileServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code model convert} and {@code model pull} in a child JVM whose PATH holds only decoy {@code python},
 * {@code python3}, {@code sh} and {@code bash} executables that leave a mark when run: a command that started any of
 * them would leave one.
 */
class NoPythonProcessTest {

    @TempDir
    Path dir;

    private String runWithDecoys(Map<String, String> environment, String... args) throws Exception {
        Path decoys = Files.createDirectories(dir.resolve("bin"));
        Path marks = Files.createDirectories(dir.resolve("marks"));
        for (String name : List.of("python", "python3", "sh", "bash")) {
            Path decoy = decoys.resolve(name);
            // A decoy that is run at all marks the attempt, whatever it was asked to do.
            Files.writeString(
                    decoy, "#!/bin/sh\n: > '" + marks.resolve(name) + "'\nexit 1\n", StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(decoy, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command =
                new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "io.clip4stream.app.Main"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", decoys.toString());
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        try (var left = Files.list(marks)) {
            assertEquals(List.of(), left.toList(), "decoys that were started; output: " + output);
        }
        return output;
    }

    @Test
    void shouldConvertWithoutStartingPython() throws Exception {
        Path tiny = dir.resolve("tiny");
        new TinyModelGenerator(TinyModel.SEED).generate(tiny, TinyModelShape.defaults(), TinyModel.MODEL_ID);
        Path out = dir.resolve("out");
        runWithDecoys(
                Map.of(),
                "model",
                "convert",
                tiny.resolve("weights.safetensors").toString(),
                out.toString());
        assertTrue(Files.isRegularFile(out.resolve("config.json")));
    }

    @Test
    void shouldPullWithoutStartingPython() throws Exception {
        try (LoopbackFileServer server = new LoopbackFileServer()) {
            ModelPullCommandTest.serveTimm(server, ModelPullCommandTest.openClipSafetensors());
            Path cache = dir.resolve("cache");
            runWithDecoys(
                    Map.of(
                            "CLIP4S_MODEL_HOME",
                            cache.toString(),
                            "HF_ENDPOINT",
                            server.base().toString()),
                    "model",
                    "pull",
                    "timm/vit-b32-clip-openai");
            assertTrue(Files.isRegularFile(cache.resolve("timm/vit-b32-clip-openai/main/model/provenance.json")));
        }
    }
}
