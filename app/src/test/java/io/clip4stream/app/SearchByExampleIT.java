package io.clip4stream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.app.demo.DefaultModel;
import io.clip4stream.app.demo.DemoVideos;
import io.clip4stream.app.demo.DemoWorld;
import io.clip4stream.app.demo.SampleScenes;
import io.clip4stream.app.demo.Scene;
import io.clip4stream.app.demo.SceneRenderer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search by example with the bundled default model over the demo world: the sample videos plus {@value #COPY}, the
 * scenes of {@code sample-a} again in reverse order with other noise, so every scene of sample-a is in two clips of
 * two sources. An image rendered from a scene, or one of its clips, must find that scene's clips first.
 */
class SearchByExampleIT {
    private static final String COPY = "copy-a";
    private static final int SCENES = SampleScenes.SCENES_PER_VIDEO;
    private static final int ALL_CLIPS = (SampleScenes.NAMES.size() + 1) * SCENES;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    private static AllInOne all;

    @BeforeAll
    static void ingest() throws Exception {
        assertTrue(DefaultModel.bundled(), "this build must bundle the default model");
        Path model = DefaultModel.ensure(dir.resolve("model"));
        all = new AllInOne(new AllInOne.Options(0, dir.resolve("data"), model, 1, 3), Map.of(), step -> {}).start();
        List<Path> files = new ArrayList<>(SampleVideos.write(all.mediaDir()));
        Path copy = all.mediaDir().resolve("samples").resolve(COPY + ".mp4");
        DemoVideos.write(copy, List.copyOf(SampleScenes.scenes(0).reversed()), 8, 77);
        files.add(copy);
        SampleVideos.ingest(all.ingestUri(), files);
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            JsonNode answer = SearchApi.searchQuietly(all.pageUri(), "anything", 100);
            seen = answer == null ? 0 : answer.get("hits").size();
            if (seen >= ALL_CLIPS) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("only " + seen + " of " + ALL_CLIPS + " clips became searchable");
    }

    @AfterAll
    static void stop() {
        if (all != null) {
            all.close();
        }
    }

    /** The clips of scene {@code scene} of sample-a: its own and the copy's (which plays the scenes reversed). */
    private static List<String> sceneOfSampleA(int scene) {
        return List.of(
                "sample-a@" + scene * DemoWorld.SCENE_SECONDS,
                COPY + "@" + (SCENES - 1 - scene) * DemoWorld.SCENE_SECONDS);
    }

    private static String where(JsonNode hit) {
        return hit.get("sourceId").asText() + "@" + hit.get("startMicros").asLong() / 1_000_000;
    }

    private static List<String> wheres(JsonNode result) {
        List<String> out = new ArrayList<>();
        result.get("hits").forEach(hit -> out.add(where(hit)));
        return out;
    }

    private static byte[] render(Scene scene) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(
                new SceneRenderer(DemoVideos.SIZE, DemoVideos.SIZE).render(scene, 0.5, new Random(5)), "png", png);
        return png.toByteArray();
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static JsonNode searchImage(byte[] png, int k) throws Exception {
        return ok(send(HttpRequest.newBuilder(all.pageUri().resolve("/search/image?k=" + k))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                .build()));
    }

    private static JsonNode combined(String text, byte[] png, double weight) throws Exception {
        Map<String, Object> body = Map.of(
                "text",
                text,
                "image",
                Base64.getEncoder().encodeToString(png),
                "weight",
                weight,
                "k",
                ALL_CLIPS,
                "candidates",
                ALL_CLIPS);
        return ok(send(HttpRequest.newBuilder(all.pageUri().resolve("/search"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build()));
    }

    @Test
    void anImageRenderedFromASceneFindsTheClipsOfThatSceneFirst() throws Exception {
        StringBuilder table = new StringBuilder();
        int[] firstRanks = new int[SampleScenes.NAMES.size() * SCENES];
        int bothFirst = 0;
        for (int video = 0; video < SampleScenes.NAMES.size(); video++) {
            for (int scene = 0; scene < SCENES; scene++) {
                JsonNode result = searchImage(render(SampleScenes.scenes(video).get(scene)), ALL_CLIPS);
                assertFalse(result.get("reranked").asBoolean());
                List<String> ranking = wheres(result);
                List<String> own = video == 0
                        ? sceneOfSampleA(scene)
                        : List.of(SampleScenes.NAMES.get(video) + "@" + scene * DemoWorld.SCENE_SECONDS);
                int first = own.stream().mapToInt(ranking::indexOf).min().orElseThrow();
                firstRanks[video * SCENES + scene] = first;
                if (video == 0 && new java.util.HashSet<>(ranking.subList(0, 2)).equals(new java.util.HashSet<>(own))) {
                    bothFirst++;
                }
                table.append(String.format(
                        "%s scene %d: first own clip at rank %d, top 3 %s%n",
                        SampleScenes.NAMES.get(video), scene, first, ranking.subList(0, 3)));
            }
        }
        // One frame of a scene against clips of whole scenes: shapes that appear, disappear or move make the middle
        // frame a partial view, so a few scenes may rank another scene's clip first (measured with the bundled model:
        // 13 of 15 first, every one in the top 5). What must hold: nearly every image finds its scene first, none
        // misses it by much, and sample-a's scenes (two clips each) mostly bring both of their clips first.
        System.err.print(table);
        long foundFirst =
                java.util.Arrays.stream(firstRanks).filter(rank -> rank == 0).count();
        assertTrue(foundFirst >= 12, "at least 12 of 15 images find their scene first:\n" + table);
        assertTrue(java.util.Arrays.stream(firstRanks).allMatch(rank -> rank < 5), "all in the top 5:\n" + table);
        assertTrue(bothFirst >= 4, "at least 4 of sample-a's 5 scenes bring both clips first:\n" + table);
    }

    @Test
    void similarToAClipFindsTheSameSceneFirstAndNeverTheClipItself() throws Exception {
        for (int scene = 0; scene < SCENES; scene++) {
            JsonNode text = SearchApi.search(all.pageUri(), "anything", 100, false);
            String clipId = null;
            for (JsonNode hit : text.get("hits")) {
                if (where(hit).equals(sceneOfSampleA(scene).get(0))) {
                    clipId = hit.get("clipId").asText();
                }
            }
            assertTrue(clipId != null, "the clip of sample-a scene " + scene + " is indexed");
            JsonNode result = ok(send(HttpRequest.newBuilder(all.pageUri()
                            .resolve("/search/similar?k=5&clip=" + URLEncoder.encode(clipId, StandardCharsets.UTF_8)))
                    .build()));
            List<String> ids = new ArrayList<>();
            result.get("hits").forEach(hit -> ids.add(hit.get("clipId").asText()));
            assertFalse(ids.contains(clipId), "never the clip itself: " + ids);
            assertEquals(
                    sceneOfSampleA(scene).get(1),
                    where(result.get("hits").get(0)),
                    wheres(result).toString());

            JsonNode otherSources = ok(send(HttpRequest.newBuilder(all.pageUri()
                            .resolve("/search/similar?k=5&excludeSource=true&clip="
                                    + URLEncoder.encode(clipId, StandardCharsets.UTF_8)))
                    .build()));
            otherSources
                    .get("hits")
                    .forEach(hit -> assertFalse(hit.get("sourceId").asText().equals("sample-a")));
        }
    }

    @Test
    void theCombinedQueryMovesFromTheTextRankingToTheImageRankingAsTheWeightGoesFromOneToZero() throws Exception {
        SampleScenes.ExampleQuery described = SampleScenes.exampleQueries().getFirst();
        // The image shows another scene of another video than the text describes.
        String imageVideo = described.sourceId().equals("sample-c") ? "sample-b" : "sample-c";
        int imageScene = (described.scene() + 2) % SCENES;
        byte[] png = render(
                SampleScenes.scenes(SampleScenes.NAMES.indexOf(imageVideo)).get(imageScene));
        String textClip = described.sourceId() + "@" + described.scene() * DemoWorld.SCENE_SECONDS;
        String imageClip = imageVideo + "@" + imageScene * DemoWorld.SCENE_SECONDS;

        List<String> textOnly = wheres(SearchApi.search(all.pageUri(), described.text(), ALL_CLIPS, false));
        List<String> imageOnly = wheres(searchImage(png, ALL_CLIPS));
        assertEquals(textOnly, wheres(combined(described.text(), png, 1.0)), "weight 1 is the text alone");
        assertEquals(imageOnly, wheres(combined(described.text(), png, 0.0)), "weight 0 is the image alone");
        assertEquals(imageClip, imageOnly.getFirst());

        // The image's scene is the image query's best clip, so as the query turns from the text towards the image,
        // a clip that beats it stops doing so and never starts again: its rank only climbs.
        int imageRank = Integer.MAX_VALUE;
        for (double weight : new double[] {1.0, 0.8, 0.6, 0.4, 0.2, 0.0}) {
            List<String> ranking = wheres(combined(described.text(), png, weight));
            int rank = ranking.indexOf(imageClip);
            assertTrue(rank <= imageRank, "weight " + weight + ": the image's scene climbs or stays (" + ranking + ")");
            imageRank = rank;
        }
        assertEquals(0, imageRank);
        assertTrue(
                textOnly.indexOf(textClip) < textOnly.indexOf(imageClip),
                "the text ranks its own scene above the image's: " + textOnly);
    }

    @Test
    void badExamplesAreRefusedWithAReason() throws Exception {
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(all.pageUri().resolve("/search/similar?clip=nope"))
                .build());
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals(
                "unknown_clip",
                JSON.readTree(unknown.body()).get("error").get("code").asText());

        HttpResponse<String> text = send(HttpRequest.newBuilder(all.pageUri().resolve("/search/image"))
                .header("Content-Type", "image/jpeg")
                .POST(HttpRequest.BodyPublishers.ofString("not an image"))
                .build());
        assertEquals(400, text.statusCode(), text.body());

        HttpResponse<String> empty = send(HttpRequest.newBuilder(all.pageUri().resolve("/search/image"))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.noBody())
                .build());
        assertEquals(400, empty.statusCode(), empty.body());
    }
}
