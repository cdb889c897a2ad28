package io.clip4stream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.ingest.decode.SyntheticVideo;
import io.clip4stream.ingest.kafka.StatusView;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.testkit.EmbeddedKafka;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP uploads do not pass through the request topic, so nothing re-reads them: a run cut short by Kafka is run again
 * by the service itself, and an upload whose instance stopped mid-run is resumed by the next instance on the same
 * media directory. Either way the source ends DONE with every frame and clip committed exactly once.
 */
class UploadResumeIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anUploadCutShortByKafkaIsRunAgainAndEndsDoneWithEveryClipOnce() throws Exception {
        // 3 s at 10 fps: at 2 fps that is 6 sampled frames, 3 clips of 2.
        SyntheticVideo video = SyntheticVideo.h264Mp4(64, 48, 10, 30);
        Setup setup = setup("ur", video);
        // Commit 1 is the run's DECODING status, 2 is clip 0, 3 is clip 1: clip 0 is committed before the failure.
        FailingOnceProducers producers = new FailingOnceProducers(Map.of(
                "up-retry",
                new FailingOnceProducers.Failure(
                        3, () -> new TimeoutException("Timeout expired after 60000ms while awaiting EndTxn(true)"))));
        try (IngestService service = new IngestService(setup.config(), new PrometheusRegistry(), producers)) {
            service.start();
            HttpResponse<String> response = upload(service.httpUri(), "up-retry", setup.video());
            assertEquals(202, response.statusCode(), response.body());
            JsonNode done = IngestServiceIT.awaitState(service.httpUri(), "up-retry", "DONE");
            assertEquals(3, done.get("clipsEmitted").asLong(), done.toString());
            assertEquals(2, producers.producersMade("up-retry"), "the failed run and exactly one retry");
            assertExactlyOnce(setup, "up-retry", 6, 2);
        }
    }

    @Test
    void anUploadStoppedMidRunIsResumedByTheNextInstanceAndEndsDoneWithEveryClipOnce() throws Exception {
        // 10 s at 10 fps: at 2 fps that is 20 sampled frames, 10 clips of 2.
        SyntheticVideo video = SyntheticVideo.h264Mp4(64, 48, 10, 100);
        Setup setup = setup("us", video);
        IngestStatus stoppedAt;
        // Slow commits keep the first instance's run going long enough to be stopped between clips.
        try (IngestService first = new IngestService(setup.config(), new PrometheusRegistry(), slowCommits())) {
            first.start();
            HttpResponse<String> response = upload(first.httpUri(), "up-stop", setup.video());
            assertEquals(202, response.statusCode(), response.body());
            awaitClips(first.httpUri(), "up-stop", 2);
            first.close();
            stoppedAt = status(setup.config(), "up-stop");
        }
        assertNotEquals(IngestState.DONE, stoppedAt.getState(), "the run was stopped mid-way: " + stoppedAt);
        assertTrue(stoppedAt.getClipsEmitted() < 10, stoppedAt.toString());
        assertTrue(
                Files.exists(setup.config().mediaDir().resolve("up-stop.video")),
                "the upload is still kept for the next instance");

        try (IngestService second = new IngestService(setup.config())) {
            second.start();
            JsonNode done = IngestServiceIT.awaitState(second.httpUri(), "up-stop", "DONE");
            assertEquals(10, done.get("clipsEmitted").asLong(), done.toString());
            assertExactlyOnce(setup, "up-stop", 20, 2);
        }
    }

    /** A config on fresh topics, and the video's bytes. */
    private record Setup(IngestConfig config, byte[] video) {}

    private static Setup setup(String name, SyntheticVideo video) throws Exception {
        Path dir = Files.createTempDirectory("ingest-" + name);
        Path root = Files.createDirectories(dir.resolve("media"));
        Path file = dir.resolve("upload.mp4");
        video.writeTo(file);
        String prefix = name + UUID.randomUUID().toString().substring(0, 6) + ".";
        IngestConfig config = IngestServiceIT.config(KAFKA.bootstrapServers(), prefix, root, dir.resolve("up"), name);
        return new Setup(config, Files.readAllBytes(file));
    }

    /** Real transactional producers that wait a little after each commit. */
    private static Function<Map<String, Object>, Producer<byte[], byte[]>> slowCommits() {
        return config -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public void commitTransaction() {
                super.commitTransaction();
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    private static void assertExactlyOnce(Setup setup, String id, int frames, int window) {
        SourceStream stream = SourceStream.read(
                KAFKA.bootstrapServers(),
                setup.config().topics().frames(),
                id,
                s -> !s.ends().isEmpty(),
                WAIT);
        assertEquals(
                LongStream.range(0, frames).boxed().toList(),
                stream.frames().stream().map(SampledFrame::getFrameIndex).toList(),
                id + ": every frame once, in order");
        assertEquals(
                IntStream.range(0, frames / window)
                        .mapToObj(i -> id + ":" + i * window)
                        .toList(),
                stream.boundaries().stream().map(ClipBoundary::getClipId).toList(),
                id + ": every clip once");
        assertEquals(1, stream.ends().size(), id + ": one end marker");
        assertEquals(EndReason.COMPLETED, stream.ends().get(0).getReason());
    }

    private static HttpResponse<String> upload(URI base, String id, byte[] body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(base.resolve("/sources/upload?sourceId=" + id))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitClips(URI base, String id, long clips) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(base.resolve("/sources/" + id)).build(),
                    HttpResponse.BodyHandlers.ofString());
            last = response.body();
            if (response.statusCode() == 200
                    && JSON.readTree(last).get("clipsEmitted").asLong() >= clips) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(id + " never emitted " + clips + " clips; last: " + last);
    }

    /** The latest committed status of {@code id}, read from the status topic. */
    private static IngestStatus status(IngestConfig config, String id) throws Exception {
        try (StatusView view =
                new StatusView(config.kafka(), config.topics().ingestStatus(), "probe-" + UUID.randomUUID()).start()) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!view.caughtUp() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(view.caughtUp(), "the status view caught up");
            return view.get(id).orElseThrow(() -> new AssertionError("no status of " + id));
        }
    }
}
