package io.clip4stream.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.ingest.decode.SyntheticVideo;
import io.clip4stream.model.spec.Preprocessing;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.avro.SourceDeletion;
import io.clip4stream.schemas.avro.SourceKind;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.EmbeddedKafka;
import io.clip4stream.testkit.TopicReader;
import java.io.IOException;
import java.net.ServerSocket;
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
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bytedeco.ffmpeg.global.avcodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ingest service on an embedded broker: an upload, a URL served by a local HTTP server, a request produced
 * straight to Kafka, a live MPEG-TS stream over TCP, and every bad input, each with its status and HTTP answer.
 */
class IngestServiceIT {
    @RegisterExtension
    static final EmbeddedKafka KAFKA = EmbeddedKafka.singleNode();

    private static final int SIZE = 32;
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** 3 s at 10 fps: at 2 fps that is 6 sampled frames, 3 clips of 2. */
    private static final SyntheticVideo VIDEO = SyntheticVideo.h264Mp4(64, 48, 10, 30);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Path dir;
    private static Path root;
    private static Topics topics;
    private static IngestService service;
    private static FileServer files;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("ingest-it");
        root = Files.createDirectories(dir.resolve("media"));
        String prefix = "it" + UUID.randomUUID().toString().substring(0, 6) + ".";
        IngestConfig config = config(KAFKA.bootstrapServers(), prefix, root, dir.resolve("uploads"), "it-a");
        topics = config.topics();
        service = new IngestService(config);
        service.start();
        files = new FileServer(root);
    }

    @AfterAll
    static void stop() {
        if (files != null) {
            files.close();
        }
        if (service != null) {
            service.close();
        }
    }

    /** Small frames and clips, private URLs allowed (the test serves video on 127.0.0.1), 3 MB upload limit. */
    static IngestConfig config(String bootstrap, String prefix, Path root, Path uploads, String instance) {
        return new IngestConfig(
                KafkaClientSettings.of(bootstrap),
                new TopicSettings(prefix, 3, 1),
                0,
                List.of(),
                root,
                uploads,
                uploads.resolveSibling(uploads.getFileName() + "-kept"),
                3L << 20,
                50L << 20,
                true,
                Preprocessing.clip(SIZE),
                2.0,
                2,
                2,
                32,
                2,
                Duration.ofSeconds(3),
                Duration.ofMillis(500),
                1,
                Duration.ofMillis(100),
                Duration.ofSeconds(2),
                false,
                prefix + "group",
                instance,
                io.clip4stream.runtime.http.HttpLimits.DEFAULTS);
    }

    // ---- sources that work -------------------------------------------------------------------------------------

    @Test
    void uploadIsKeptForPlaybackWithByteRangesUntilTheSourceIsDeleted() throws Exception {
        Path file = dir.resolve("playback.mp4");
        VIDEO.writeTo(file);
        byte[] video = Files.readAllBytes(file);
        assertEquals(202, upload("play-1", video, "").statusCode());
        awaitEnd("play-1");
        awaitState("play-1", "DONE");

        HttpResponse<byte[]> whole = media("play-1", null);
        assertEquals(200, whole.statusCode());
        assertEquals("video/mp4", whole.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElseThrow());
        assertArrayEquals(video, whole.body(), "the upload is kept byte for byte after indexing");

        HttpResponse<byte[]> part = media("play-1", "bytes=100-199");
        assertEquals(206, part.statusCode());
        assertEquals(
                "bytes 100-199/" + video.length,
                part.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(java.util.Arrays.copyOfRange(video, 100, 200), part.body());
        HttpResponse<byte[]> tail = media("play-1", "bytes=" + (video.length - 10) + "-");
        assertEquals(206, tail.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(video, video.length - 10, video.length), tail.body());

        HttpResponse<byte[]> past = media("play-1", "bytes=" + video.length + "-");
        assertEquals(416, past.statusCode());
        assertEquals(
                "bytes */" + video.length,
                past.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(409, upload("play-1", video, "").statusCode(), "a done upload is not replaced");

        HttpResponse<String> deleted = HTTP.send(
                HttpRequest.newBuilder(service.httpUri().resolve("/sources/play-1"))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, deleted.statusCode(), deleted.body());
        assertEquals(404, media("play-1", null).statusCode());
        try (var kept = Files.list(dir.resolve("uploads-kept"))) {
            assertEquals(
                    List.of(),
                    kept.filter(p -> p.getFileName().toString().startsWith("play-1"))
                            .toList());
        }
    }

    @Test
    void deletingAFinishedUploadPublishesTheDeletionMarksItDeletedAndRetiresItsId() throws Exception {
        Path file = dir.resolve("to-delete.mp4");
        VIDEO.writeTo(file);
        byte[] video = Files.readAllBytes(file);
        assertEquals(202, upload("del-1", video, "").statusCode());
        awaitState("del-1", "DONE");

        HttpResponse<String> deleted = delete("del-1");
        assertEquals(202, deleted.statusCode(), deleted.body());

        List<SourceDeletion> deletions = new TopicReader(KAFKA.bootstrapServers())
                .readAtLeast(topics.sourceDeletions(), Integer.MAX_VALUE, Duration.ofSeconds(5)).stream()
                        .filter(r -> "del-1".equals(r.key()))
                        .map(r -> r.value())
                        .toList();
        assertEquals(1, deletions.size(), "one deletion for del-1: " + deletions);
        assertEquals("del-1", deletions.getFirst().getSourceId().toString());
        assertTrue(deletions.getFirst().getRequestedAtMillis() > 0);
        assertNotNull(deletions.getFirst().getReason());
        JsonNode state = awaitState("del-1", "DELETED");
        assertEquals(3, state.get("clipsEmitted").asLong(), "the counts of the finished run stay");
        assertEquals(404, media("del-1", null).statusCode());

        HttpResponse<String> again = upload("del-1", video, "");
        assertEquals(409, again.statusCode(), "a deleted id is not reused: " + again.body());
        assertTrue(again.body().contains("source_deleted"), again.body());
        assertEquals(404, delete("never-there").statusCode());
    }

    @Test
    void pathSourcePlaysFromUnderTheRootAndUrlAndBadIdsDoNot() throws Exception {
        Path file = root.resolve("path-play.mp4");
        VIDEO.writeTo(file);
        assertEquals(
                202,
                register(Map.of("sourceId", "path-1", "uri", "path-play.mp4")).statusCode());
        awaitState("path-1", "DONE");
        HttpResponse<byte[]> part = media("path-1", "bytes=0-15");
        assertEquals(206, part.statusCode());
        assertArrayEquals(java.util.Arrays.copyOf(Files.readAllBytes(file), 16), part.body());

        VIDEO.withFaststart(true).writeTo(root.resolve("url-play.mp4"));
        assertEquals(
                202,
                register(Map.of("sourceId", "url-play", "uri", files.url("url-play.mp4")))
                        .statusCode());
        awaitState("url-play", "DONE");
        HttpResponse<byte[]> url = media("url-play", null);
        assertEquals(404, url.statusCode());
        assertTrue(new String(url.body(), StandardCharsets.UTF_8).contains("not kept"));

        for (String bad : List.of("..%2F..%2Fetc%2Fpasswd", "a%2F..%2F..%2Fsecret", "%2Fetc%2Fpasswd")) {
            assertEquals(400, media(bad, null).statusCode(), bad);
        }
        // The server removes a literal dot segment before routing (RFC 3986): /sources/../media is no route at all.
        assertEquals(404, media("..", null).statusCode());
        assertEquals(404, media("never-seen", null).statusCode());
    }

    @Test
    void uploadArrivesAsSampledFramesAndClips() throws Exception {
        Path file = dir.resolve("upload.mp4");
        VIDEO.writeTo(file);
        HttpResponse<String> response = upload("upl-1", Files.readAllBytes(file), "");
        assertEquals(202, response.statusCode(), response.body());
        SourceStream stream = awaitEnd("upl-1");
        assertEquals(6, stream.frames().size());
        for (int i = 0; i < 6; i++) {
            SampledFrame frame = stream.frames().get(i);
            assertEquals(i, frame.getFrameIndex());
            assertEquals(i / 2, frame.getClipIndex());
            assertEquals(i * 500_000L, frame.getPresentationTimeMicros());
            assertEquals(SIZE, frame.getWidth());
            assertEquals(SIZE * SIZE * 3, frame.getPixels().remaining());
        }
        List<ClipBoundary> clips = stream.boundaries();
        assertEquals(
                List.of("upl-1:0", "upl-1:2", "upl-1:4"),
                clips.stream().map(ClipBoundary::getClipId).toList());
        assertEquals(2, clips.get(1).getFrameCount());
        assertEquals(1_000_000L, clips.get(1).getStartTimeMicros());
        assertEquals(2_000_000L, clips.get(1).getEndTimeMicros());
        byte[] jpeg = new byte[2];
        clips.get(0).getThumbnailJpeg().duplicate().get(jpeg);
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xD8}, jpeg);
        assertEquals(EndReason.COMPLETED, stream.ends().get(0).getReason());
        assertEquals(3, stream.ends().get(0).getTotalClips());
        JsonNode status = awaitState("upl-1", "DONE");
        assertEquals(6, status.get("framesSampled").asLong());
        assertEquals(3, status.get("clipsEmitted").asLong());
        assertEquals(100.0, status.get("progressPercent").asDouble());
        assertTrue(status.get("framesPerSecond").asDouble() > 0);
        // Order within the partition: every clip's frames come before its boundary.
        int boundarySeen = 0;
        for (Object payload : stream.payloads()) {
            if (payload instanceof ClipBoundary b) {
                assertEquals(b.getFirstFrameIndex() + b.getFrameCount(), countFramesBefore(stream, payload));
                boundarySeen++;
            }
        }
        assertEquals(3, boundarySeen);
    }

    @Test
    void urlFromALocalHttpServerWithOverlappingClips() throws Exception {
        VIDEO.withFaststart(true).writeTo(root.resolve("served.mp4"));
        HttpResponse<String> response = register(Map.of(
                "sourceId",
                "url-1",
                "uri",
                files.url("redirect/served.mp4"),
                "clipWindowFrames",
                4,
                "clipStrideFrames",
                2));
        assertEquals(202, response.statusCode(), response.body());
        SourceStream stream = awaitEnd("url-1");
        assertEquals(6, stream.frames().size());
        assertEquals(
                List.of("url-1:0", "url-1:2"),
                stream.boundaries().stream().map(ClipBoundary::getClipId).toList());
        assertEquals(
                List.of(4, 4),
                stream.boundaries().stream().map(ClipBoundary::getFrameCount).toList());
        assertEquals(EndReason.COMPLETED, stream.ends().get(0).getReason());
        awaitState("url-1", "DONE");
    }

    @Test
    void requestProducedStraightToKafkaLikeKcat() throws Exception {
        VIDEO.as("mpegts", avcodec.AV_CODEC_ID_H264).writeTo(root.resolve("clip.ts"));
        IngestRequest request = IngestRequest.newBuilder()
                .setRequestId("r-1")
                .setSourceId("kafka-1")
                .setKind(SourceKind.URL)
                .setUri("clip.ts")
                .setSamplingFps(1.0)
                .setClipWindowFrames(3)
                .setClipStrideFrames(3)
                .setRequestedAtMillis(System.currentTimeMillis())
                .build();
        produce(
                topics.ingestRequests().name(),
                "kafka-1",
                topics.ingestRequests()
                        .valueSerde()
                        .serializer()
                        .serialize(topics.ingestRequests().name(), request));
        SourceStream stream = awaitEnd("kafka-1");
        // MPEG-TS starts at a non-zero timestamp; times are relative to the first frame.
        assertEquals(
                List.of(0L, 1_000_000L, 2_000_000L),
                stream.frames().stream()
                        .map(SampledFrame::getPresentationTimeMicros)
                        .toList());
        assertEquals(1, stream.boundaries().size());
        awaitState("kafka-1", "DONE");
    }

    @Test
    void liveStreamOverTcpUntilDeleted() throws Exception {
        try (LiveTsServer camera = new LiveTsServer(64, 48, 10)) {
            HttpResponse<String> response = register(Map.of("sourceId", "cam-1", "uri", camera.url()));
            assertEquals(202, response.statusCode(), response.body());
            SourceStream stream = SourceStream.read(
                    KAFKA.bootstrapServers(),
                    topics.frames(),
                    "cam-1",
                    s -> s.boundaries().size() >= 3,
                    WAIT);
            assertTrue(
                    stream.boundaries().size() >= 3,
                    "clips " + stream.boundaries().size());
            for (int i = 0; i < 3; i++) {
                ClipBoundary clip = stream.boundaries().get(i);
                assertEquals(i, clip.getClipIndex());
                assertEquals("cam-1:" + 2 * i, clip.getClipId());
            }
            assertEquals("LIVE", awaitState("cam-1", "DECODING").get("kind").asText());
            HttpResponse<String> deleted = HTTP.send(
                    HttpRequest.newBuilder(service.httpUri().resolve("/sources/cam-1"))
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, deleted.statusCode(), deleted.body());
            SourceStream ended = awaitEnd("cam-1");
            assertEquals(EndReason.STOPPED, ended.ends().get(0).getReason());
            awaitState("cam-1", "DELETED");
        }
    }

    // ---- bad input ---------------------------------------------------------------------------------------------

    @Test
    void truncatedFileIsReportedAsTruncatedNotAsACleanEnd() throws Exception {
        Path file = dir.resolve("long.mp4");
        VIDEO.withFrames(80).withFaststart(true).writeTo(file);
        byte[] bytes = Files.readAllBytes(file);
        HttpResponse<String> response = upload("trunc-1", java.util.Arrays.copyOf(bytes, bytes.length / 2), "");
        assertEquals(202, response.statusCode(), response.body());
        SourceStream stream = awaitEnd("trunc-1");
        assertEquals(EndReason.TRUNCATED, stream.ends().get(0).getReason());
        assertFalse(stream.frames().isEmpty());
        // Its clips are searchable: DONE, with the truncation and the indexed range as a warning.
        JsonNode status = awaitState("trunc-1", "DONE");
        assertTrue(status.get("reason").asText().startsWith("Truncated: "), status.toString());
        assertTrue(status.get("reason").asText().contains("; indexed 0:00.0-0:"), status.toString());
    }

    @Test
    void corruptUploadIsRefusedWith422() throws Exception {
        byte[] noise = new byte[200_000];
        new Random(3).nextBytes(noise);
        assertRefusedUpload("bad-noise", noise, 422, "not a video");
    }

    @Test
    void zeroByteUploadIsRefusedWith400() throws Exception {
        assertRefusedUpload("bad-empty", new byte[0], 400, "empty");
    }

    @Test
    void textUploadIsRefusedWith422() throws Exception {
        assertRefusedUpload(
                "bad-text",
                "just some words\n".repeat(500).getBytes(StandardCharsets.UTF_8),
                422,
                "not a usable video");
    }

    @Test
    void unsupportedCodecIsRefusedWith422() throws Exception {
        Path file = dir.resolve("codec.mkv");
        VIDEO.as("matroska", avcodec.AV_CODEC_ID_MPEG4).writeTo(file);
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("V_MPEG4/ISO/ASP");
        System.arraycopy("V_ZZZZZ".getBytes(StandardCharsets.US_ASCII), 0, bytes, at, 7);
        // FFmpeg sees no video stream with a codec id it does not know; ("codec" used to match only the internal file
        // name, bad-codec-<uuid>.video, which the answer no longer shows).
        assertRefusedUpload("bad-codec", bytes, 422, "has no video stream");
    }

    @Test
    void oversizeUploadIsRefusedWith413() throws Exception {
        assertRefusedUpload("bad-big", new byte[(3 << 20) + 1], 413, "limit");
    }

    @Test
    void mp4WithIndexAtTheEndFromAUrlFailsWithTheReason() throws Exception {
        VIDEO.writeTo(root.resolve("moov-at-end.mp4"));
        HttpResponse<String> response = register(Map.of("sourceId", "bad-moov", "uri", files.url("moov-at-end.mp4")));
        assertEquals(202, response.statusCode(), response.body());
        JsonNode status = awaitState("bad-moov", "FAILED");
        assertTrue(status.get("reason").asText().contains("moov"), status.toString());
        assertEquals(EndReason.FAILED, awaitEnd("bad-moov").ends().get(0).getReason());
    }

    @Test
    void unreachableUrlFails() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HttpResponse<String> response =
                register(Map.of("sourceId", "bad-unreachable", "uri", "http://127.0.0.1:" + closedPort + "/video.mp4"));
        assertEquals(202, response.statusCode(), response.body());
        JsonNode status = awaitState("bad-unreachable", "FAILED");
        assertTrue(status.get("reason").asText().contains("cannot connect"), status.toString());
    }

    @Test
    void pathOutsideTheRootIsRefusedWith403() throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "outside");
        HttpResponse<String> response = register(Map.of("sourceId", "bad-path", "uri", "../secret.txt"));
        assertEquals(403, response.statusCode(), response.body());
        assertTrue(response.body().contains("outside the ingest root"), response.body());
        assertEquals(404, get("/sources/bad-path").statusCode(), "a refused request is not recorded as a source");
    }

    @Test
    void undecodableKafkaRequestGoesToTheErrorsTopicAndTheWorkerGoesOn() throws Exception {
        produce(topics.ingestRequests().name(), "garbage", "not avro at all".getBytes(StandardCharsets.UTF_8));
        List<PipelineError> errors = new TopicReader(KAFKA.bootstrapServers())
                .readAtLeast(topics.errors(), 1, WAIT).stream()
                        .map(r -> r.value())
                        .toList();
        assertFalse(errors.isEmpty(), "an error record");
        assertEquals("ingest", errors.get(0).getStage());
        // The worker keeps consuming: a good request after the bad one is processed.
        VIDEO.writeTo(root.resolve("after-garbage.mp4"));
        IngestRequest request = IngestRequest.newBuilder()
                .setRequestId("r-2")
                .setSourceId("after-garbage")
                .setKind(SourceKind.URL)
                .setUri("after-garbage.mp4")
                .setRequestedAtMillis(System.currentTimeMillis())
                .build();
        produce(
                topics.ingestRequests().name(),
                "after-garbage",
                topics.ingestRequests()
                        .valueSerde()
                        .serializer()
                        .serialize(topics.ingestRequests().name(), request));
        awaitState("after-garbage", "DONE");
    }

    @Test
    void badSourcesLeaveOthersUnaffected() throws Exception {
        Path good = dir.resolve("good.mp4");
        VIDEO.writeTo(good);
        List<HttpResponse<String>> bad = new ArrayList<>();
        bad.add(upload("mixed-bad-1", new byte[1000], ""));
        HttpResponse<String> ok = upload("mixed-good", Files.readAllBytes(good), "");
        bad.add(upload("mixed-bad-2", new byte[0], ""));
        assertEquals(202, ok.statusCode(), ok.body());
        bad.forEach(r -> assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, r.body()));
        assertEquals(3, awaitState("mixed-good", "DONE").get("clipsEmitted").asLong());
        assertEquals(200, get("/health").statusCode());
    }

    @Test
    void unknownSourceIs404() throws Exception {
        assertEquals(404, get("/sources/nope").statusCode());
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    private static void assertRefusedUpload(String id, byte[] body, int status, String reasonPart) throws Exception {
        HttpResponse<String> response = upload(id, body, "");
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.body().contains(reasonPart), response.body());
        assertFalse(response.body().contains(".video"), "no internal file name: " + response.body());
        // Refused before any work: not recorded as a source.
        assertEquals(404, get("/sources/" + id).statusCode());
        assertEquals(200, get("/health").statusCode(), "the service keeps running");
    }

    private static long countFramesBefore(SourceStream stream, Object marker) {
        long n = 0;
        for (Object p : stream.payloads()) {
            if (p == marker) {
                return n;
            }
            if (p instanceof SampledFrame) {
                n++;
            }
        }
        return n;
    }

    private static SourceStream awaitEnd(String sourceId) {
        SourceStream stream = SourceStream.read(
                KAFKA.bootstrapServers(),
                topics.frames(),
                sourceId,
                s -> !s.ends().isEmpty(),
                WAIT);
        assertEquals(
                1,
                stream.ends().size(),
                "one end marker for " + sourceId + ": " + stream.payloads().size());
        return stream;
    }

    static JsonNode awaitState(String sourceId, String state) throws Exception {
        return awaitState(service.httpUri(), sourceId, state);
    }

    static JsonNode awaitState(URI base, String sourceId, String state) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(base.resolve("/sources/" + sourceId)).build(),
                    HttpResponse.BodyHandlers.ofString());
            last = response.body();
            if (response.statusCode() == 200) {
                JsonNode node = JSON.readTree(last);
                if (node.get("state").asText().equals(state)) {
                    return node;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("source " + sourceId + " never reached " + state + "; last: " + last);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(service.httpUri().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> delete(String id) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(service.httpUri().resolve("/sources/" + id))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<byte[]> media(String rawId, String range) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(service.httpUri() + "/sources/" + rawId + "/media"));
        if (range != null) {
            request.header("Range", range);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<String> upload(String id, byte[] body, String query) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(service.httpUri().resolve("/sources/upload?sourceId=" + id + query))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> register(Map<String, Object> body) throws Exception {
        return register(service.httpUri(), body);
    }

    static HttpResponse<String> register(URI base, Map<String, Object> body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(base.resolve("/sources"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void produce(String topic, String key, byte[] value) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }
}
