package io.clip4stream.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.ingest.decode.SyntheticVideo;
import io.clip4stream.ingest.reencode.ReencodeProgress;
import io.clip4stream.ingest.reencode.StoppedMarkers;
import io.clip4stream.runtime.kafka.ModelVersionLog;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.ModelVersion;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.testkit.EmbeddedKafka;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A model version with another CLIP visual encoder needs frames again: the kept upload is decoded again with the
 * version's preprocessing and sent stamped for it, with the same clips as the original run; a path source whose file
 * is gone (nothing kept to decode again) gets a STOPPED marker; the sources' statuses stay as they were, and a restart on the same
 * media directory sends nothing again.
 */
class ReencodeIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The version's crop: the ingest's own is 32 (IngestServiceIT's config). */
    private static final int VERSION_CROP = 16;

    /** The new version: named as {@code train} names versions, with a {@code +} and a dot, which a file name escapes. */
    private static final String V = "base+seqTransf-1.2";

    @Test
    void aKeptUploadIsReEncodedForTheNewVersionAndOtherSourcesAreSettled() throws Exception {
        Path dir = Files.createTempDirectory("ingest-reencode");
        Path root = Files.createDirectories(dir.resolve("media"));
        // 3 s at 10 fps: at 2 fps that is 6 sampled frames, 3 clips of 2.
        SyntheticVideo video = SyntheticVideo.h264Mp4(64, 48, 10, 30);
        Path upload = dir.resolve("upload.mp4");
        video.writeTo(upload);
        video.writeTo(root.resolve("path.mp4"));
        String prefix = "re" + UUID.randomUUID().toString().substring(0, 6) + ".";
        IngestConfig config = IngestServiceIT.config(KAFKA.bootstrapServers(), prefix, root, dir.resolve("up"), "re");

        JsonNode upBefore;
        JsonNode pathBefore;
        long frameRecords;
        try (IngestService service = new IngestService(config)) {
            service.start();
            URI base = service.httpUri();
            HttpResponse<String> uploaded = HTTP.send(
                    HttpRequest.newBuilder(base.resolve("/sources/upload?sourceId=re-up"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(upload)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, uploaded.statusCode(), uploaded.body());
            assertEquals(
                    202,
                    IngestServiceIT.register(base, Map.of("sourceId", "re-path", "uri", "path.mp4"))
                            .statusCode());
            upBefore = IngestServiceIT.awaitState(base, "re-up", "DONE");
            pathBefore = IngestServiceIT.awaitState(base, "re-path", "DONE");
            assertTrue(upBefore.get("mediaKept").asBoolean(), "the upload is kept here: " + upBefore);
            assertTrue(
                    pathBefore.get("mediaKept").asBoolean(), "a file under the root, with its request: " + pathBefore);
            // Its file gone, the path source has nothing left to decode again.
            Files.delete(root.resolve("path.mp4"));
            pathBefore = status(base, "re-path");
            assertFalse(pathBefore.get("mediaKept").asBoolean(), "its file is gone: " + pathBefore);
            SourceStream own = SourceStream.read(
                    KAFKA.bootstrapServers(),
                    config.topics().frames(),
                    "re-up",
                    s -> !s.ends().isEmpty(),
                    WAIT);

            ModelVersionLog models =
                    new ModelVersionLog(config.kafka(), config.topics().models(), WAIT, Clock.systemUTC());
            models.publish("test", version("A", null, "sha256:A", 32));
            models.publish("test", version(V, "deployed", "sha256:B", VERSION_CROP));

            SourceStream all = SourceStream.read(
                    KAFKA.bootstrapServers(),
                    config.topics().frames(),
                    "re-up",
                    s -> s.ends().stream().anyMatch(e -> V.equals(e.getReencodeFor())),
                    WAIT);
            List<SampledFrame> again = all.frames().stream()
                    .filter(f -> V.equals(f.getReencodeFor()))
                    .toList();
            List<ClipBoundary> clipsAgain = all.boundaries().stream()
                    .filter(b -> V.equals(b.getReencodeFor()))
                    .toList();
            assertEquals(6, own.frames().size(), "the original run");
            assertEquals(
                    own.frames().stream().map(SampledFrame::getFrameIndex).toList(),
                    again.stream().map(SampledFrame::getFrameIndex).toList(),
                    "the same frames");
            assertEquals(
                    own.boundaries().stream().map(ClipBoundary::getClipId).toList(),
                    clipsAgain.stream().map(ClipBoundary::getClipId).toList(),
                    "the same clips");
            for (SampledFrame frame : again) {
                assertEquals(VERSION_CROP, frame.getWidth(), "prepared the version's way");
                assertEquals(VERSION_CROP, frame.getHeight());
                assertEquals(VERSION_CROP * VERSION_CROP * 3, frame.getPixels().remaining());
            }
            assertTrue(own.frames().stream().allMatch(f -> f.getWidth() == 32 && f.getReencodeFor() == null));
            List<EndOfSource> ends = all.ends();
            assertEquals(2, ends.size(), "the own end and the version's: " + ends);
            assertNull(ends.get(0).getReencodeFor());
            assertEquals(V, ends.get(1).getReencodeFor());
            assertEquals(EndReason.COMPLETED, ends.get(1).getReason());
            assertEquals(3, ends.get(1).getTotalClips());

            SourceStream path = SourceStream.read(
                    KAFKA.bootstrapServers(),
                    config.topics().frames(),
                    "re-path",
                    s -> s.ends().stream().anyMatch(e -> V.equals(e.getReencodeFor())),
                    WAIT);
            assertTrue(
                    path.frames().stream().allMatch(f -> f.getReencodeFor() == null),
                    "a source without kept media is not decoded again");
            EndOfSource marker = path.ends().stream()
                    .filter(e -> V.equals(e.getReencodeFor()))
                    .findFirst()
                    .orElseThrow();
            assertEquals(EndReason.STOPPED, marker.getReason());
            assertEquals(StoppedMarkers.NO_KEPT_MEDIA, marker.getDetail());

            JsonNode progress = awaitReencode(base, V, "done");
            assertEquals(2, progress.get("sourcesTotal").asInt(), progress.toString());
            assertEquals(2, progress.get("sourcesDone").asInt(), progress.toString());
            assertTrue(progress.get("currentSource").isNull(), progress.toString());
            assertEquals(3, progress.get("clipsSent").asLong(), progress.toString());
            String metrics = get(base, "/metrics").body();
            assertTrue(
                    metrics.contains("clip4stream_ingest_reencode_sources_remaining{model_version=\"" + V + "\"} 0"),
                    metrics);
            assertEquals(upBefore, status(base, "re-up"), "re-encoding does not change the ingest status");
            assertEquals(pathBefore, status(base, "re-path"));
            frameRecords = endOffsets(config);
        }

        try (IngestService restarted = new IngestService(config)) {
            restarted.start();
            JsonNode progress = awaitReencode(restarted.httpUri(), V, "done");
            assertEquals(2, progress.get("sourcesDone").asInt(), progress.toString());
            assertEquals(0, progress.get("clipsSent").asLong(), "nothing re-encoded again: " + progress);
            assertEquals(frameRecords, endOffsets(config), "nothing sent again for V");
            assertEquals(upBefore, status(restarted.httpUri(), "re-up"));

            // While V is deployed, an upload that finishes later is re-encoded too.
            HttpResponse<String> later = HTTP.send(
                    HttpRequest.newBuilder(restarted.httpUri().resolve("/sources/upload?sourceId=re-later"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(upload)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, later.statusCode(), later.body());
            SourceStream laterStream = SourceStream.read(
                    KAFKA.bootstrapServers(),
                    config.topics().frames(),
                    "re-later",
                    s -> s.ends().stream().anyMatch(e -> V.equals(e.getReencodeFor())),
                    WAIT);
            assertEquals(
                    6,
                    laterStream.frames().stream()
                            .filter(f -> V.equals(f.getReencodeFor()))
                            .count(),
                    "the later upload's frames for V");
            JsonNode withLater = awaitReencode(restarted.httpUri(), V, "done");
            assertEquals(3, withLater.get("sourcesDone").asInt(), withLater.toString());

            // Activated: the started job finishes for good.
            ModelVersionLog models =
                    new ModelVersionLog(config.kafka(), config.topics().models(), WAIT, Clock.systemUTC());
            models.publish("test", version(V, "active", "sha256:B", VERSION_CROP));
            Path progressFile = ReencodeProgress.file(config.mediaDir(), V);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!Files.readString(progressFile).contains("#complete") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals("re-up\n!re-path\nre-later\n#complete\n", Files.readString(progressFile));
        }
    }

    private static ModelVersion version(String name, String status, String fingerprint, int crop) {
        return ModelVersion.newBuilder()
                .setModelVersion(name)
                .setModelId("clip4clip-test")
                .setEmbedDim(8)
                .setResizeSize(crop)
                .setInterpolation("bicubic")
                .setCropSize(crop)
                .setNormalize("clip")
                .setHead("meanP")
                .setRecordedBy("test")
                .setRecordedAtMillis(System.currentTimeMillis())
                .setVisualFingerprint(fingerprint)
                .setStatus(status)
                .build();
    }

    private static JsonNode awaitReencode(URI base, String version, String state) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = get(base, "/v1/reencode");
            last = response.body();
            if (response.statusCode() == 200) {
                JsonNode node = JSON.readTree(last).path("versions").path(version);
                if (state.equals(node.path("state").asText())) {
                    return node;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("re-encode of " + version + " never " + state + "; last: " + last);
    }

    private static JsonNode status(URI base, String id) throws Exception {
        HttpResponse<String> response = get(base, "/sources/" + id);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every record and transaction marker written to the frames topic so far. */
    private static long endOffsets(IngestConfig config) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < config.topics().frames().partitions(); p++) {
            partitions.add(new TopicPartition(config.topics().frames().name(), p));
        }
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", KAFKA.bootstrapServers(), "isolation.level", "read_uncommitted"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            return consumer.endOffsets(partitions).values().stream()
                    .filter(Objects::nonNull)
                    .mapToLong(Long::longValue)
                    .sum();
        }
    }
}
