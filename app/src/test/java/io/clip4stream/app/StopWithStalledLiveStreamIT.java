package io.clip4stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.cli.RunFile;
import io.clip4stream.app.cli.TinyModel;
import io.clip4stream.ingest.decode.SyntheticVideo;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM stops {@code clip4stream run} while a live MPEG-TS stream over UDP on loopback has stalled (its sender went
 * silent mid-stream, so the decoder sits in a blocking native read): the process must exit, its shutdown bounded by
 * {@code BoundedShutdown} rather than by the stream. The bound checked here is generous (60 s) and the measured time
 * is printed, since a wall-clock assertion would be flaky on a loaded machine; the promise is 10 s.
 */
class StopWithStalledLiveStreamIT {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofMinutes(4);

    @TempDir
    Path dir;

    @Test
    void sigtermStopsRunWhileALiveStreamHasStalled() throws Exception {
        Path modelDir = TinyModel.ensure(dir.resolve("model"));
        Path dataDir = dir.resolve("data");
        Path log = dir.resolve("run.log");
        Process run = start(modelDir, dataDir, log);
        try (UdpCamera camera = new UdpCamera()) {
            RunFile endpoints = awaitRunning(run, dataDir, log);
            HttpResponse<String> registered = HTTP.send(
                    HttpRequest.newBuilder(endpoints.ingest().resolve("/sources"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(
                                    JSON.writeValueAsBytes(Map.of("sourceId", "udp-cam", "uri", camera.url()))))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, registered.statusCode(), registered.body());
            awaitFramesDecoded(endpoints.ingest(), run, log);

            camera.stall();
            Thread.sleep(1_000); // the decoder is now waiting in a read that no packet will end

            long sigterm = System.nanoTime();
            run.destroy(); // SIGTERM
            boolean exited = run.waitFor(60, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);
            // The shutdown's summary is a log line: it goes to the run's log file (the console shows it only when
            // a part was left behind).
            List<String> lines = new ArrayList<>(Files.readAllLines(log));
            Path runLog = dataDir.resolve("logs").resolve("clip4stream.log");
            if (Files.exists(runLog)) {
                lines.addAll(Files.readAllLines(runLog));
            }
            String summary = lines.stream()
                    .filter(line -> line.contains("stopped in "))
                    .reduce((a, b) -> b)
                    .orElse("(no shutdown summary in the log)");
            System.out.println("StopWithStalledLiveStreamIT: run exited " + millis + " ms after SIGTERM with a stalled"
                    + " UDP stream (promise: 10 s); " + summary);
            assertTrue(exited, "run did not exit within 60 s of SIGTERM; its log ends with:\n" + tail(log));
            assertTrue(summary.contains("ingest-service"), "the shutdown reports every part: " + summary);
        } finally {
            run.destroyForcibly();
        }
    }

    /** Starts {@code clip4stream run} in a JVM of its own, on the tiny model, allowed to read a loopback stream. */
    private static Process start(Path modelDir, Path dataDir, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-Xmx") && !arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
                cmd.add(arg);
            }
        }
        // As bin/clip4stream runs it: Log4j's own shutdown hook off, so run's hook logs the shutdown summary last.
        cmd.addAll(List.of(
                "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlog4j2.shutdownHookEnabled=false"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(
                "run",
                "--port",
                "0",
                "--data-dir",
                dataDir.toString(),
                "--model",
                modelDir.toString(),
                "--no-samples",
                "--partitions",
                "1"));
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().keySet().removeIf(key -> key.startsWith("CLIP4S_"));
        builder.environment().put("CLIP4S_INGEST_ALLOW_PRIVATE_URLS", "true");
        return builder.start();
    }

    private static RunFile awaitRunning(Process run, Path dataDir, Path log) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            if (!run.isAlive()) {
                throw new AssertionError("run exited with " + run.exitValue() + ":\n" + tail(log));
            }
            // run's console interface: the page URL on a line of its own starting with "Open ".
            if (Files.readAllLines(log).stream().anyMatch(line -> line.startsWith("Open http"))) {
                return RunFile.read(dataDir);
            }
            Thread.sleep(250);
        }
        throw new AssertionError("run did not start within " + START + ":\n" + tail(log));
    }

    /** Waits until the ingest-service has decoded frames of the stream (its metric counts them). */
    private static void awaitFramesDecoded(URI ingest, Process run, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!run.isAlive()) {
                throw new AssertionError("run exited with " + run.exitValue() + ":\n" + tail(log));
            }
            String metrics = HTTP.send(
                            HttpRequest.newBuilder(ingest.resolve("/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            for (String line : metrics.lines().toList()) {
                if (line.startsWith("clip4stream_ingest_frames_decoded_total")
                        && Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) > 0) {
                    JsonNode status = JSON.readTree(HTTP.send(
                                    HttpRequest.newBuilder(ingest.resolve("/sources/udp-cam"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body());
                    assertEquals("DECODING", status.path("state").asText(), status.toString());
                    return;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no frame of the UDP stream was decoded within 2 minutes:\n" + tail(log));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** A fake camera sending a live MPEG-TS over UDP to a loopback port at real time, until it stalls. */
    private static final class UdpCamera implements AutoCloseable {
        /** Seven 188-byte TS packets per datagram, as cameras and FFmpeg send them. */
        private static final int DATAGRAM = 7 * 188;

        private final DatagramSocket socket = new DatagramSocket();
        private final int port;
        private final Thread sender;
        private volatile boolean sending = true;

        UdpCamera() throws IOException {
            try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            SyntheticVideo video =
                    new SyntheticVideo(64, 48, 10, Integer.MAX_VALUE, "mpegts", avcodec.AV_CODEC_ID_MPEG4, 10, false);
            sender = new Thread(() -> send(video), "udp-camera");
            sender.setDaemon(true);
            sender.start();
        }

        String url() {
            return "udp://127.0.0.1:" + port;
        }

        /** Stops sending without any end marker: to the receiver the stream just goes silent. */
        void stall() throws InterruptedException {
            sending = false;
            sender.join(5_000);
        }

        private void send(SyntheticVideo video) {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            OutputStream datagrams = new OutputStream() {
                private final byte[] buffer = new byte[DATAGRAM];
                private int filled;

                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    for (int i = 0; i < length; i++) {
                        buffer[filled++] = bytes[offset + i];
                        if (filled == DATAGRAM) {
                            if (sending) {
                                socket.send(new DatagramPacket(buffer, DATAGRAM, loopback, port));
                            }
                            filled = 0;
                        }
                    }
                }
            };
            long start = System.nanoTime();
            long frameNanos = (long) (1e9 / video.fps());
            SyntheticVideo.Writer writer = video.streamTo(datagrams);
            try {
                for (long n = 0; sending; n++) {
                    writer.write(n);
                    long wait = start + (n + 1) * frameNanos - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // Not closed: closing would flush a trailer, and a stalled camera sends nothing more.
        }

        @Override
        public void close() {
            sending = false;
            socket.close();
        }
    }
}
