package io.clip4stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.clip4stream.app.demo.DefaultModel;
import io.clip4stream.app.demo.DemoWorld;
import io.clip4stream.app.demo.SampleScenes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a newcomer sees: {@code run}'s sample videos through the whole pipeline with the bundled default model, and the
 * page's example queries answered with the right scene (source and 12-second range) among the top 3.
 */
class DefaultModelEndToEndIT {

    private static final int SAMPLE_CLIPS = SampleScenes.NAMES.size() * SampleScenes.SCENES_PER_VIDEO;

    @TempDir
    static Path dir;

    private static AllInOne all;

    @BeforeAll
    static void ingestSamples() throws Exception {
        assertTrue(DefaultModel.bundled(), "this build must bundle the default model");
        Path model = DefaultModel.ensure(dir.resolve("model"));
        all = new AllInOne(new AllInOne.Options(0, dir.resolve("data"), model, 1, 3), Map.of(), step -> {}).start();
        SampleVideos.ingest(all.ingestUri(), SampleVideos.write(all.mediaDir()));
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            JsonNode answer = SearchApi.searchQuietly(all.pageUri(), "anything", 100);
            seen = answer == null ? 0 : answer.get("hits").size();
            if (seen >= SAMPLE_CLIPS) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("only " + seen + " of " + SAMPLE_CLIPS + " sample clips became searchable");
    }

    @AfterAll
    static void stop() {
        if (all != null) {
            all.close();
        }
    }

    @Test
    void theBundledModelOffersTheSampleScenesExampleQueries() throws Exception {
        JsonNode config = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(all.pageUri().resolve("/config.json").toURL());
        List<String> offered = new ArrayList<>();
        config.get("model").get("exampleQueries").forEach(q -> offered.add(q.asText()));
        assertEquals(
                SampleScenes.exampleQueries().stream()
                        .map(SampleScenes.ExampleQuery::text)
                        .toList(),
                offered);
        assertEquals("synthetic-world", config.get("model").get("knows").asText());
    }

    @Test
    void theExampleQueriesFindTheirSceneInTheTopThree() throws Exception {
        for (boolean rerank : List.of(false, true)) {
            for (SampleScenes.ExampleQuery query : SampleScenes.exampleQueries()) {
                JsonNode answer = SearchApi.search(all.pageUri(), query.text(), 3, rerank);
                List<String> top = new ArrayList<>();
                boolean found = false;
                for (JsonNode hit : answer.get("hits")) {
                    long startSecond = hit.get("startMicros").asLong() / 1_000_000;
                    top.add(hit.get("sourceId").asText() + "@" + startSecond + "s");
                    found |= hit.get("sourceId").asText().equals(query.sourceId())
                            && startSecond == (long) query.scene() * DemoWorld.SCENE_SECONDS;
                }
                assertTrue(
                        found,
                        "'" + query.text() + "' (rerank " + rerank + ") should find " + query.sourceId() + "@"
                                + query.scene() * DemoWorld.SCENE_SECONDS + "s in its top 3, got " + top);
            }
        }
    }

    @Test
    void everyHitsThumbnailComesFromTheIndexByClipId() throws Exception {
        // Searches carry no thumbnails; each hit's is looked up on the index-service (GET /v1/clips?clipId=) when
        // asked for, then served from the query service's cache.
        JsonNode answer = SearchApi.search(all.pageUri(), "anything", 5, true);
        assertEquals(5, answer.get("hits").size(), answer.toString());
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            for (JsonNode hit : answer.get("hits")) {
                java.net.URI uri = all.pageUri().resolve(hit.get("thumbnailUrl").asText());
                for (int attempt = 0; attempt < 2; attempt++) {
                    java.net.http.HttpResponse<byte[]> jpeg = http.send(
                            java.net.http.HttpRequest.newBuilder(uri).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                    assertEquals(200, jpeg.statusCode(), uri.toString());
                    assertEquals((byte) 0xFF, jpeg.body()[0], "a JPEG starts with FF D8");
                    assertEquals((byte) 0xD8, jpeg.body()[1], "a JPEG starts with FF D8");
                }
            }
        }
    }
}
