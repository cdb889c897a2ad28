package io.clip4stream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.clip4stream.ingest.decode.SyntheticVideo;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two ingest instances: a file run on one stops when the source is deleted through the other, which publishes the
 * deletion that every instance follows.
 */
class SourceDeletionIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final Duration WAIT = Duration.ofSeconds(60);
    // A minute of video sent at about its own pace, so the run is still reading when the delete comes.
    private static final SyntheticVideo LONG_VIDEO =
            SyntheticVideo.h264Mp4(64, 48, 10, 600).as("mpegts", avcodec.AV_CODEC_ID_H264);
    private static final int CHUNKS = 600;

    @Test
    void deletingThroughOneInstanceStopsTheRunOnTheOther() throws Exception {
        Path dir = Files.createTempDirectory("ingest-deletion");
        Path root = Files.createDirectories(dir.resolve("media"));
        Path video = dir.resolve("long.ts");
        LONG_VIDEO.writeTo(video);
        String prefix = "del" + UUID.randomUUID().toString().substring(0, 6) + ".";
        IngestConfig a = IngestServiceIT.config(KAFKA.bootstrapServers(), prefix, root, dir.resolve("up-a"), "del-a");
        IngestConfig b = IngestServiceIT.config(KAFKA.bootstrapServers(), prefix, root, dir.resolve("up-b"), "del-b");
        Topics topics = a.topics();
        ExecutorService serving = Executors.newCachedThreadPool();
        HttpServer slow = trickle(Files.readAllBytes(video), serving);
        try (IngestService first = new IngestService(a);
                IngestService second = new IngestService(b)) {
            first.start();
            second.start();
            String url = "http://127.0.0.1:" + slow.getAddress().getPort() + "/long.ts";
            HttpResponse<String> response =
                    IngestServiceIT.register(first.httpUri(), Map.of("sourceId", "slow-1", "kind", "URL", "uri", url));
            assertEquals(202, response.statusCode(), response.body());
            SourceStream started = SourceStream.read(
                    KAFKA.bootstrapServers(),
                    topics.frames(),
                    "slow-1",
                    s -> !s.frames().isEmpty(),
                    WAIT);
            assertFalse(started.frames().isEmpty(), "the run has begun");
            IngestService owner = first.isRunning("slow-1") ? first : second;
            IngestService other = owner == first ? second : first;
            assertTrue(owner.isRunning("slow-1"), "one instance runs the source");

            HttpResponse<String> deleted = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(other.httpUri().resolve("/sources/slow-1"))
                                    .DELETE()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(202, deleted.statusCode(), deleted.body());

            SourceStream ended = SourceStream.read(
                    KAFKA.bootstrapServers(),
                    topics.frames(),
                    "slow-1",
                    s -> !s.ends().isEmpty(),
                    WAIT);
            assertEquals(1, ended.ends().size(), "one end marker");
            assertEquals(
                    EndReason.STOPPED,
                    ended.ends().getFirst().getReason(),
                    "stopped by the deletion, not read to its end");
            assertTrue(
                    ended.frames().size() < 600,
                    "frames before the stop: " + ended.frames().size());
            IngestServiceIT.awaitState(owner.httpUri(), "slow-1", "DELETED");
        } finally {
            slow.stop(0);
            serving.shutdownNow();
        }
    }

    /** Serves {@code bytes} at {@code /long.ts} in {@link #CHUNKS} pieces, one every 100 ms. */
    private static HttpServer trickle(byte[] bytes, ExecutorService serving) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, bytes.length);
                int chunk = Math.max(1, bytes.length / CHUNKS);
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int at = 0; at < bytes.length; at += chunk) {
                        out.write(bytes, at, Math.min(chunk, bytes.length - at));
                        out.flush();
                        Thread.sleep(100);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    // The reader went away: the run stopped.
                }
            }
        });
        server.setExecutor(serving);
        server.start();
        return server;
    }
}
