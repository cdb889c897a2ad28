package io.clip4stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.clip4stream.app.cli.TinyModel;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.TopicReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system in one JVM (embedded broker, the four services): sample videos go in through the ingest API, and
 * the rankings that come out of the search API equal the rankings the model module computes offline from the same
 * frames, first stage and after tight re-ranking. {@code ClusterEndToEndIT} checks the same on three brokers with two
 * instances of each service, through crashes. Last, one source is deleted through the ingest API and its clips leave
 * the search results.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {
    /** Queries whose rankings are compared. */
    static final List<String> QUERIES =
            List.of("a man riding a red bike", "a white square moves across the screen", "people talking indoors");

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String DELETED_SOURCE = "sample-c";

    @TempDir
    static Path dir;

    private static AllInOne all;
    private static OfflineRanking offline;

    @BeforeAll
    static void ingestSamples() throws Exception {
        Path modelDir = TinyModel.ensure(dir.resolve("model"));
        // 4 frames per second, so each 12-frame clip spans 3 s and the three samples give dozens of clips.
        all = new AllInOne(
                        new AllInOne.Options(0, dir.resolve("data"), modelDir, 1, 3),
                        Map.of("CLIP4S_INGEST_FPS", "4"),
                        step -> {})
                .start();
        SampleVideos.ingest(all.ingestUri(), SampleVideos.write(all.mediaDir()));

        offline = OfflineRanking.of(modelDir, awaitAllEnds(all.bootstrapServers(), 3));
        int clips = offline.clipIds().size();
        assertTrue(clips >= 20, "at least 20 clips; got " + clips);
        awaitSearchable(clips);
    }

    @AfterAll
    static void stop() {
        if (offline != null) {
            offline.close();
        }
        if (all != null) {
            all.close();
        }
    }

    @Test
    void shouldRankLikeTheOfflineModelBeforeReranking() throws Exception {
        for (String query : QUERIES) {
            JsonNode answer = SearchApi.search(all.pageUri(), query, 10, false);
            assertFalse(answer.get("partial").asBoolean(), answer.toString());
            assertEquals(
                    offline.firstStage(query).subList(0, 10),
                    SearchApi.clipIds(answer),
                    "first-stage top-10 for '" + query + "'");
        }
    }

    @Test
    void shouldPlayASampleThroughTheQueryServiceWithByteRanges() throws Exception {
        byte[] file = java.nio.file.Files.readAllBytes(all.mediaDir().resolve("samples/sample-b.mp4"));
        HttpResponse<byte[]> response = HTTP.send(
                HttpRequest.newBuilder(all.pageUri().resolve("/media/sample-b"))
                        .header("Range", "bytes=100-")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, response.statusCode());
        assertEquals("video/mp4", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(
                "bytes 100-" + (file.length - 1) + "/" + file.length,
                response.headers().firstValue("Content-Range").orElseThrow());
        assertEquals(
                java.util.Arrays.toString(java.util.Arrays.copyOfRange(file, 100, file.length)),
                java.util.Arrays.toString(response.body()));
    }

    @Test
    void shouldRerankLikeTheOfflineTightHead() throws Exception {
        for (String query : QUERIES) {
            JsonNode answer = SearchApi.search(all.pageUri(), query, 10, true);
            assertTrue(answer.get("reranked").asBoolean(), answer.toString());
            assertEquals(
                    offline.reranked(query, 50, 10), SearchApi.clipIds(answer), "re-ranked top-10 for '" + query + "'");
        }
    }

    /** Runs after the ranking tests (default order), which expect every source's clips. */
    @Test
    @Order(Integer.MAX_VALUE)
    void shouldDropEveryClipOfADeletedSourceFromSearch() throws Exception {
        HttpResponse<String> deleted = HTTP.send(
                HttpRequest.newBuilder(all.ingestUri().resolve("/sources/" + DELETED_SOURCE))
                        .DELETE()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, deleted.statusCode(), deleted.body());

        Set<String> remaining = offline.clipIds().stream()
                .filter(id -> !id.startsWith(DELETED_SOURCE + ":"))
                .collect(Collectors.toSet());
        assertTrue(remaining.size() < offline.clipIds().size(), "the deleted source had clips");
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        Set<String> seen = Set.of();
        while (System.nanoTime() < deadline) {
            JsonNode answer = SearchApi.searchQuietly(
                    all.pageUri(), "anything", Math.min(100, offline.clipIds().size()));
            if (answer != null) {
                seen = StreamSupport.stream(answer.get("hits").spliterator(), false)
                        .map(hit -> hit.get("clipId").asText())
                        .collect(Collectors.toSet());
                if (seen.equals(remaining)) {
                    return;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("after deleting " + DELETED_SOURCE + " search should answer exactly the other "
                + remaining.size() + " clips; last answer had " + seen);
    }

    /** Reads the committed frames topic until {@code sources} end markers are in it. */
    static List<ConsumerRecord<String, FrameStreamRecord>> awaitAllEnds(String bootstrapServers, int sources) {
        Topics topics = Topics.defaults();
        TopicReader reader = new TopicReader(bootstrapServers);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            List<ConsumerRecord<String, FrameStreamRecord>> records =
                    reader.readAtLeast(topics.frames(), Integer.MAX_VALUE, Duration.ofSeconds(5));
            long ends = records.stream()
                    .filter(r -> r.value().getPayload() instanceof EndOfSource)
                    .count();
            if (ends >= sources) {
                return records;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Only " + ends + " of " + sources + " sources ended in time");
            }
        }
    }

    private static void awaitSearchable(int clips) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            JsonNode answer = SearchApi.searchQuietly(all.pageUri(), "anything", Math.min(100, clips));
            seen = answer == null ? 0 : answer.get("hits").size();
            if (seen >= clips) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Only " + seen + " of " + clips + " clips became searchable in time");
    }
}
