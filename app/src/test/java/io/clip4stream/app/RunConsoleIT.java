package io.clip4stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user sees: {@code bin/clip4stream run} as a process of its own (the launcher included), its console
 * captured while the sample videos ingest, then stopped as Ctrl-C would stop it.
 */
class RunConsoleIT {
    /** Lines that must never reach the console of a healthy run. */
    private static final Pattern NOISE = Pattern.compile(
            "WARN|ERROR|Exception|^\\s+at |^WARNING|Topologies|CudaUtils|StreamsConfig|\\[h264|Helidon");

    @TempDir
    Path dir;

    @Test
    void firstScreenHoldsTheBannerAndTheUrlAndNoLogNoise() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(
                "bash",
                root.resolve("bin/clip4stream").toString(),
                "run",
                "--port",
                Integer.toString(port),
                "--data-dir",
                dir.toString());
        builder.environment().keySet().removeIf(key -> key.startsWith("CLIP4S_"));
        builder.environment().put("CLIP4S_NO_BUILD", "1");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("CLIP4S_JAVA_OPTS", "-Xmx2g");
        Process process = builder.start();
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> err = new CopyOnWriteArrayList<>();
        Thread outReader = follow(process.getInputStream(), out);
        Thread errReader = follow(process.getErrorStream(), err);
        try {
            long done = 0;
            // Waits for the three samples (a bound against a hang, not a timing assertion).
            for (int i = 0; i < 600 && done < 3 && process.isAlive(); i++) {
                Thread.sleep(500);
                done = out.stream()
                        .filter(line -> line.matches("sample-.: done, \\d+ clips searchable"))
                        .count();
            }
            assertEquals(3, done, "every sample reported done:\n" + String.join("\n", out) + "\n" + err);
        } finally {
            // SIGTERM, the same shutdown as Ctrl-C; through the handle, which (unlike Process.destroy) leaves the
            // output streams open so that the goodbye line can still be read.
            process.toHandle().destroy();
            process.waitFor(120, TimeUnit.SECONDS);
            outReader.join(5_000);
            errReader.join(5_000);
        }
        String console = String.join("\n", out) + "\n--- stderr ---\n" + String.join("\n", err);
        List<String> firstScreen = out.subList(0, Math.min(24, out.size()));
        assertTrue(out.getFirst().startsWith("Clip4Stream "), console);
        assertTrue(firstScreen.contains("Open http://127.0.0.1:" + port), console);
        for (String line : out) {
            assertTrue(!NOISE.matcher(line).find(), "noise on stdout: " + line + "\n" + console);
        }
        for (String line : err) {
            assertTrue(!NOISE.matcher(line).find(), "noise on stderr: " + line + "\n" + console);
        }
        assertEquals("Stopping… stopped.", out.getLast(), console);
        Path log = dir.resolve("logs").resolve("clip4stream.log");
        assertTrue(Files.readString(log).contains("query-service HTTP listening"), "the log file has the details");
    }

    private static Thread follow(InputStream stream, List<String> lines) {
        return Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("(stream closed: " + e + ")");
            }
        });
    }
}
