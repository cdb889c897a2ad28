package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.weights.TinyModelGenerator;
import io.clip4stream.model.weights.TinyModelShape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code model convert} in a child JVM whose PATH holds only decoy {@code python}, {@code python3} and
 * {@code sh} executables that leave a mark when run: a conversion that started any of them would leave one.
 */
class ConvertStartsNoPythonTest {

    @TempDir
    Path dir;

    @Test
    void shouldConvertWithoutStartingPython() throws Exception {
        Path tiny = dir.resolve("tiny");
        new TinyModelGenerator(TinyModel.SEED).generate(tiny, TinyModelShape.defaults(), TinyModel.MODEL_ID);
        Path decoys = Files.createDirectory(dir.resolve("bin"));
        Path marks = Files.createDirectory(dir.resolve("marks"));
        for (String name : List.of("python", "python3", "sh", "bash")) {
            Path decoy = decoys.resolve(name);
            // A decoy that is run at all marks the attempt, whatever it was asked to do.
            Files.writeString(
                    decoy, "#!/bin/sh\n: > '" + marks.resolve(name) + "'\nexit 1\n", StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(decoy, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path out = dir.resolve("out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.clip4stream.app.Main",
                        "model",
                        "convert",
                        tiny.resolve("weights.safetensors").toString(),
                        out.toString(),
                        "--model-id",
                        "no-python")
                .redirectErrorStream(true);
        builder.environment().put("PATH", decoys.toString());
        Process process = builder.start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(Files.isRegularFile(out.resolve("config.json")), output);
        try (var left = Files.list(marks)) {
            assertEquals(List.of(), left.toList(), "decoys that were started");
        }
    }
}
