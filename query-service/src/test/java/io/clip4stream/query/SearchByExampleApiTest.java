package io.clip4stream.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.preprocess.FramePreprocessor;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.query.example.TestImages;
import io.clip4stream.query.example.VectorBlend;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search by example end to end with the tiny model over in-memory index instances: every expected ranking is computed
 * here from the model and the stored vectors, never taken from the service.
 */
class SearchByExampleApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String OTHER_VERSION = "an-older-version";

    @TempDir
    static Path modelDir;

    private static TinyIndexFixture fixture;
    private static InMemoryIndexServer shardA;
    private static InMemoryIndexServer shardB;
    private static InMemoryIndexServer oldShard;
    private static QueryService service;
    private static byte[] png;
    private static float[] imageVector;

    @BeforeAll
    static void start() throws IOException {
        fixture = TinyIndexFixture.withTightHead(modelDir);
        fixture.addClips("cam-a", 10, "acme", List.of("street")).addClips("cam-b", 10, "acme", List.of("street"));
        // The image's vector, computed independently of the service: frames prepared as ingest prepares them, the
        // visual tower, and the head over one frame. A clip planted with exactly this vector must come first.
        png = TestImages.encoded("png", 96, 72);
        RgbImage rgb = RgbImage.fromBufferedImage(ImageIO.read(new ByteArrayInputStream(png)));
        FramePreprocessor preprocessor = new FramePreprocessor(fixture.model().preprocessing());
        imageVector = fixture.model().aggregateClip(fixture.model().embedFrames(preprocessor.preprocess(rgb), 1));
        fixture.addPlantedClip("cam-c", 0, imageVector);
        shardA = fixture.serve(List.of("cam-a", "cam-c"), List.of(0));
        shardB = fixture.serve(List.of("cam-b"), List.of(1));
        oldShard = new InMemoryIndexServer(
                List.of(new InMemoryIndexServer.ClipInfo(
                        "old:0", "old", 0, 0, 12_000_000, "acme", List.of(), OTHER_VERSION, null)),
                fixture.vector(0).clone(),
                fixture.info().embedDim(),
                ordinal -> new float[][] {fixture.vector(0)},
                List.of(2));
        service = new QueryService(
                QueryConfig.fromEnv(TinyIndexFixture.env(
                        modelDir,
                        shardA.uri() + "," + shardB.uri() + "," + oldShard.uri(),
                        Map.of("CLIP4S_QUERY_MAX_IMAGE_BYTES", "200000", "CLIP4S_QUERY_MAX_IMAGE_PIXELS", "4000000"))),
                fixture.model());
        service.start();
    }

    @AfterAll
    static void stop() {
        service.close();
        shardA.close();
        shardB.close();
        oldShard.close();
        fixture.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder to(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(service.uri() + pathAndQuery));
    }

    private static HttpResponse<String> postImage(String query, String contentType, byte[] body) throws Exception {
        return send(to("/search/image" + query)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static HttpResponse<String> postJson(Object body) throws Exception {
        return send(to("/search")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    }

    private static JsonNode ok(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static void refused(HttpResponse<String> response, int status, String code) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(
                code, JSON.readTree(response.body()).get("error").get("code").asText(), response.body());
    }

    private static List<String> clipIds(JsonNode result) {
        List<String> ids = new ArrayList<>();
        result.get("hits").forEach(hit -> ids.add(hit.get("clipId").asText()));
        return ids;
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** The clip ids of the served model version, best first by dot product with {@code query}, minus {@code except}. */
    private static List<String> expectedOrder(float[] query, int k, List<String> except) {
        List<InMemoryIndexServer.ClipInfo> clips = fixture.clips();
        return IntStream.range(0, clips.size())
                .filter(i -> !except.contains(clips.get(i).clipId())
                        && !except.contains(clips.get(i).sourceId()))
                .boxed()
                .sorted(Comparator.comparingDouble(i -> -dot(query, fixture.vector(i))))
                .limit(k)
                .map(i -> clips.get(i).clipId())
                .toList();
    }

    private static int ordinalOf(String clipId) {
        for (int i = 0; i < fixture.clips().size(); i++) {
            if (fixture.clips().get(i).clipId().equals(clipId)) {
                return i;
            }
        }
        throw new AssertionError("no clip " + clipId);
    }

    @Test
    void anImageFindsTheClipWithItsOneFrameVectorFirstAndIsNotReranked() throws Exception {
        JsonNode result = ok(postImage("?k=5", "image/png", png));
        assertEquals("cam-c:0", clipIds(result).getFirst(), result.toString());
        assertEquals(1.0, result.get("hits").get(0).get("firstStageScore").asDouble(), 1e-4);
        assertEquals(expectedOrder(imageVector, 5, List.of()), clipIds(result));
        assertFalse(result.get("reranked").asBoolean());
        assertTrue(result.get("rerankNote").asText().contains("example"), result.toString());
        assertTrue(result.get("example").asText().startsWith("image"), result.toString());
        assertEquals(fixture.info().modelVersion(), result.get("modelVersion").asText());
    }

    @Test
    void theSameImageAsJpegMultipartOrBase64JsonIsSearchedTheSameWay() throws Exception {
        String boundary = "b0undary-for-the-test";
        ByteArrayOutputStream multipart = new ByteArrayOutputStream();
        multipart.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\""
                        + "\r\nContent-Type: image/png\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        multipart.writeBytes(png);
        multipart.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode viaMultipart =
                ok(postImage("?k=3", "multipart/form-data; boundary=" + boundary, multipart.toByteArray()));
        assertEquals(expectedOrder(imageVector, 3, List.of()), clipIds(viaMultipart));

        JsonNode viaJson = ok(postJson(Map.of("image", Base64.getEncoder().encodeToString(png), "k", 3)));
        assertEquals(expectedOrder(imageVector, 3, List.of()), clipIds(viaJson));
    }

    @Test
    void filtersAndKApplyToImageQueries() throws Exception {
        JsonNode result = ok(postImage("?k=4&sources=cam-b", "image/png", png));
        assertEquals(4, result.get("hits").size());
        result.get("hits")
                .forEach(hit -> assertEquals("cam-b", hit.get("sourceId").asText()));
    }

    @Test
    void similarToAClipUsesItsVectorAndNeverReturnsIt() throws Exception {
        JsonNode result = ok(send(to("/search/similar?clip=cam-a:3&k=6")));
        List<String> ids = clipIds(result);
        assertFalse(ids.contains("cam-a:3"), ids.toString());
        assertEquals(expectedOrder(fixture.vector(ordinalOf("cam-a:3")), 6, List.of("cam-a:3")), ids);
        assertFalse(result.get("reranked").asBoolean());
        assertEquals("clip cam-a:3", result.get("example").asText());
        JsonNode hit = result.get("hits").get(0);
        assertTrue(hit.has("sourceId") && hit.has("startMicros") && hit.has("thumbnailUrl"), hit.toString());
    }

    @Test
    void similarCanLeaveOutTheClipsWholeSource() throws Exception {
        JsonNode result = ok(send(to("/search/similar?clip=cam-a:3&k=8&excludeSource=true")));
        assertEquals(8, result.get("hits").size());
        result.get("hits")
                .forEach(hit -> assertFalse(hit.get("sourceId").asText().equals("cam-a"), hit.toString()));
        assertEquals(expectedOrder(fixture.vector(ordinalOf("cam-a:3")), 8, List.of("cam-a")), clipIds(result));
    }

    @Test
    void similarToASourceRangeUsesTheMeanOfItsClipsAndLeavesThemOut() throws Exception {
        // Seconds 12 to 36 of cam-b overlap clips 1 and 2 (12 s each).
        JsonNode result = ok(send(to("/search/similar?source=cam-b&start=12&end=36&k=5")));
        float[] mean = VectorBlend.unitMean(
                List.of(fixture.vector(ordinalOf("cam-b:1")), fixture.vector(ordinalOf("cam-b:2"))));
        assertEquals(expectedOrder(mean, 5, List.of("cam-b:1", "cam-b:2")), clipIds(result));
    }

    @Test
    void theCombinedQueryMovesFromTheTextRankingToTheImageRankingAsTheWeightFalls() throws Exception {
        String text = "a man riding a red bike";
        String image = Base64.getEncoder().encodeToString(png);
        JsonNode textOnly = ok(send(to(
                "/search?q=" + URLEncoder.encode(text, StandardCharsets.UTF_8) + "&k=21&candidates=21&rerank=false")));
        JsonNode imageOnly = ok(postImage("?k=21&candidates=21", "image/png", png));
        JsonNode atOne = ok(postJson(Map.of("text", text, "image", image, "weight", 1.0, "k", 21, "candidates", 21)));
        JsonNode atZero = ok(postJson(Map.of("text", text, "image", image, "weight", 0.0, "k", 21, "candidates", 21)));
        assertEquals(clipIds(textOnly), clipIds(atOne));
        assertEquals(clipIds(imageOnly), clipIds(atZero));
        assertFalse(atOne.get("reranked").asBoolean());
        assertEquals(1.0, atOne.get("weight").asDouble());

        // On the way, the planted image clip climbs from its text-only rank to the top, never falling back.
        int previous = Integer.MAX_VALUE;
        for (double weight : new double[] {1.0, 0.9, 0.75, 0.5, 0.25, 0.1, 0.0}) {
            JsonNode result =
                    ok(postJson(Map.of("text", text, "image", image, "weight", weight, "k", 21, "candidates", 21)));
            int rank = clipIds(result).indexOf("cam-c:0");
            assertTrue(rank <= previous, "weight " + weight + ": rank " + rank + " after " + previous);
            previous = rank;
        }
        assertEquals(0, previous);
    }

    @Test
    void aCombinedQueryWithAClipLeavesTheClipOut() throws Exception {
        JsonNode result = ok(postJson(Map.of("text", "a dog", "clip", "cam-b:4", "weight", 0.3, "k", 20)));
        assertFalse(clipIds(result).contains("cam-b:4"));
        assertEquals("clip cam-b:4", result.get("example").asText());
    }

    @Test
    void badImagesAreRefusedWithAReason() throws Exception {
        refused(postImage("", "image/png", new byte[0]), 400, "empty_body");
        refused(postImage("", "image/png", "plain text".getBytes(StandardCharsets.UTF_8)), 400, "not_an_image");
        refused(postImage("", "image/png", TestImages.pngBomb(60_000, 60_000)), 413, "image_too_many_pixels");
        refused(postImage("", "image/webp", TestImages.webpHeader()), 415, "unsupported_image_format");
        refused(postImage("", "text/plain", png), 415, "unsupported_media_type");
        // Refused from its length before it is read: a fresh client, so no kept-alive connection holds its rest.
        try (HttpClient fresh = HttpClient.newHttpClient()) {
            refused(
                    fresh.send(
                            to("/search/image")
                                    .header("Content-Type", "image/png")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[300_000]))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()),
                    413,
                    "payload_too_large");
        }
        refused(postImage("?q=cats", "image/png", png), 400, "unknown_parameter");
        refused(postJson(Map.of("text", "x", "image", "%%%not base64")), 400, "not_an_image");
        refused(
                postJson(Map.of("text", "x", "image", Base64.getEncoder().encodeToString(png), "weight", 1.5)),
                400,
                "invalid_weight");
        refused(postJson(Map.of("text", "x", "weight", 0.5)), 400, "invalid_example");
        refused(
                postJson(Map.of("image", Base64.getEncoder().encodeToString(png), "clip", "cam-a:1")),
                400,
                "invalid_example");
    }

    @Test
    void badClipExamplesAreRefusedWithAReason() throws Exception {
        refused(send(to("/search/similar?clip=no-such-clip")), 404, "unknown_clip");
        refused(send(to("/search/similar?clip=old:0")), 400, "example_of_other_model_version");
        refused(send(to("/search/similar?source=cam-a&start=1000&end=2000")), 404, "no_clips_in_range");
        refused(send(to("/search/similar")), 400, "missing_example");
        refused(send(to("/search/similar?clip=cam-a:1&source=cam-a")), 400, "missing_example");
        refused(send(to("/search/similar?source=cam-a&start=20&end=10")), 400, "invalid_example");
        refused(postJson(Map.of("clip", "no-such-clip")), 404, "unknown_clip");
    }
}
