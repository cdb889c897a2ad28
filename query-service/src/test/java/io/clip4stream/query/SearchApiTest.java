package io.clip4stream.query;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.model.tokenize.TokenizedText;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.query.fanout.IndexWire;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The search API end to end: a real query service with the tiny model over in-memory index instances. */
class SearchApiTest {
    private static final String KEY = "query-test-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path modelDir;

    private static TinyIndexFixture fixture;
    private static InMemoryIndexServer shardA;
    private static InMemoryIndexServer shardB;
    private static QueryService service;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        fixture = TinyIndexFixture.withTightHead(modelDir);
        fixture.addClips("cam-a", 12, "acme", List.of("street"))
                .addClips("cam-b", 12, "other", List.of("street", "night"));
        shardA = fixture.serve(List.of("cam-a"), List.of(0));
        shardB = fixture.serve(List.of("cam-b"), List.of(1));
        service = start(Map.of());
    }

    private static QueryService start(Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.putIfAbsent("CLIP4S_QUERY_INDEX_URLS", shardA.uri() + "," + shardB.uri());
        QueryService started = new QueryService(
                QueryConfig.fromEnv(
                        TinyIndexFixture.env(modelDir, settings.remove("CLIP4S_QUERY_INDEX_URLS"), settings)),
                fixture.model());
        started.start();
        return started;
    }

    @AfterAll
    static void stop() {
        service.close();
        shardA.close();
        shardB.close();
        fixture.close();
    }

    private static HttpResponse<String> get(QueryService on, String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(on.uri() + pathAndQuery));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(QueryService on, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(on.uri().resolve("/search"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode ok(HttpResponse<String> response) throws IOException {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static float dot(float[] a, float[] b) {
        float s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static int ordinalOf(String clipId) {
        List<InMemoryIndexServer.ClipInfo> clips = fixture.clips();
        for (int i = 0; i < clips.size(); i++) {
            if (clips.get(i).clipId().equals(clipId)) {
                return i;
            }
        }
        throw new AssertionError("no clip " + clipId);
    }

    @Test
    void shouldRerankCandidatesOfEveryShardWithTheTightHead() throws Exception {
        JsonNode result = ok(get(service, "/search?q=a%20man%20riding%20a%20red%20bike&k=5&candidates=20"));

        assertTrue(result.get("reranked").asBoolean(), result.toString());
        assertFalse(result.get("partial").asBoolean());
        assertEquals(2, result.get("shards").size());
        result.get("shards")
                .forEach(shard -> assertEquals("ok", shard.get("status").asText()));
        assertEquals(5, result.get("hits").size());
        assertEquals(fixture.info().modelVersion(), result.get("modelVersion").asText());
        assertEquals(
                12 * 12_000_000L,
                result.get("searchableUpToMicros").get("cam-a").asLong());
        assertEquals(
                12 * 12_000_000L,
                result.get("searchableUpToMicros").get("cam-b").asLong());

        // Independently: the text embedding, every clip's first-stage score, and the tight scores of all 20
        // candidates (the global top 20 by first-stage score); the API's top 5 must be their best 5 by tight score.
        TokenizedText tokens = ClipTokenizer.withBundledVocabulary()
                .tokenize("a man riding a red bike", fixture.info().maxWords());
        float[] text = fixture.model().encodeText(tokens.inputIds(), tokens.inputMask());
        List<Integer> byFirstStage = new ArrayList<>();
        for (int i = 0; i < fixture.clips().size(); i++) {
            byFirstStage.add(i);
        }
        byFirstStage.sort((a, b) -> Float.compare(dot(text, fixture.vector(b)), dot(text, fixture.vector(a))));
        List<Integer> top20 = byFirstStage.subList(0, 20);
        float[] tight = fixture.model()
                .tightScores(
                        tokens.inputIds(),
                        tokens.inputMask(),
                        top20.stream().map(fixture::frames).toArray(float[][][]::new));
        List<Integer> expected =
                new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19));
        expected.sort((a, b) -> Float.compare(tight[b], tight[a]));
        for (int rank = 0; rank < 5; rank++) {
            JsonNode hit = result.get("hits").get(rank);
            int ordinal = top20.get(expected.get(rank));
            assertEquals(
                    fixture.clips().get(ordinal).clipId(), hit.get("clipId").asText(), "rank " + rank);
            assertEquals(tight[expected.get(rank)], (float) hit.get("score").asDouble(), 1e-4);
            assertEquals(
                    dot(text, fixture.vector(ordinal)),
                    (float) hit.get("firstStageScore").asDouble(),
                    1e-4);
            assertEquals(rank + 1, hit.get("rank").asInt());
        }
    }

    @Test
    void shouldServeTheThumbnailOfAHit() throws Exception {
        JsonNode hit = ok(get(service, "/search?q=traffic&k=1")).get("hits").get(0);
        HttpResponse<byte[]> thumbnail = CLIENT.send(
                HttpRequest.newBuilder(
                                service.uri().resolve(hit.get("thumbnailUrl").asText()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, thumbnail.statusCode());
        assertEquals(
                "image/jpeg", thumbnail.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(
                fixture.clips().get(ordinalOf(hit.get("clipId").asText())).thumbnailJpeg(), thumbnail.body());
        assertEquals(404, get(service, "/thumbnails/never-returned:1").statusCode());
        // The search asked the shards for no thumbnails: the hit's came by clip id when the page asked for it.
        assertEquals(Boolean.FALSE, shardA.lastRequest().includeThumbnails());
        assertEquals(Boolean.FALSE, shardB.lastRequest().includeThumbnails());
    }

    @Test
    void shouldFindThePlantedClipFirstInFirstStageOrder() throws Exception {
        try (TinyIndexFixture planted = TinyIndexFixture.withTightHead(modelDir.resolve("planted"))) {
            TokenizedText tokens = ClipTokenizer.withBundledVocabulary()
                    .tokenize("a red bicycle", planted.info().maxWords());
            float[] text = planted.model().encodeText(tokens.inputIds(), tokens.inputMask());
            planted.addClips("noise", 30, "default", List.of()).addPlantedClip("target", 7, text);
            try (InMemoryIndexServer index = planted.serve(List.of(), List.of(0))) {
                QueryService own = new QueryService(
                        QueryConfig.fromEnv(
                                TinyIndexFixture.env(modelDir, index.uri().toString(), Map.of())),
                        planted.model());
                own.start();
                try {
                    JsonNode result = ok(post(own, "{\"text\": \"a red bicycle\", \"k\": 3, \"rerank\": false}"));
                    assertFalse(result.get("reranked").asBoolean());
                    assertTrue(result.get("rerankNote").asText().contains("turned off"));
                    JsonNode first = result.get("hits").get(0);
                    assertEquals("target:7", first.get("clipId").asText());
                    assertEquals(1.0, first.get("firstStageScore").asDouble(), 1e-4);
                    assertEquals(
                            first.get("firstStageScore").asDouble(),
                            first.get("score").asDouble());
                    assertEquals(Boolean.FALSE, index.lastRequest().includeFrameEmbeddings());
                } finally {
                    own.close();
                }
            }
        }
    }

    @Test
    void shouldPassEveryFilterToTheShards() throws Exception {
        JsonNode result = ok(post(service, """
                {"text": "night traffic", "k": 3, "candidates": 7,
                 "filters": {"sources": ["cam-b"], "tenant": "other", "tags": ["night"],
                             "timeRange": {"fromMicros": 24000000, "toMicros": 96000000}},
                 "modelVersion": "%s"}
                """.formatted(fixture.info().modelVersion())));
        IndexWire.KnnRequest seen = shardB.lastRequest();
        assertEquals(List.of("cam-b"), seen.sourceIds());
        assertEquals("other", seen.tenant());
        assertEquals(List.of("night"), seen.tags());
        assertEquals(24_000_000L, seen.fromMicros());
        assertEquals(96_000_000L, seen.toMicros());
        assertEquals(7, seen.k());
        assertEquals(fixture.info().modelVersion(), seen.modelVersion());
        assertEquals(3, result.get("hits").size());
        for (JsonNode hit : result.get("hits")) {
            assertEquals("cam-b", hit.get("sourceId").asText());
            assertTrue(hit.get("endMicros").asLong() > 24_000_000L
                    && hit.get("startMicros").asLong() < 96_000_000L);
        }
    }

    static Stream<Arguments> invalidGets() {
        return Stream.of(
                Arguments.of("/search", "empty_text"),
                Arguments.of("/search?q=", "empty_text"),
                Arguments.of("/search?q=%20%20%20", "empty_text"),
                Arguments.of("/search?q=" + "a".repeat(1001), "text_too_long"),
                Arguments.of("/search?q=cat&k=0", "invalid_k"),
                Arguments.of("/search?q=cat&k=101", "invalid_k"),
                Arguments.of("/search?q=cat&k=ten", "invalid_k"),
                Arguments.of("/search?q=cat&k=99999999999", "invalid_k"),
                Arguments.of("/search?q=cat&k=20&candidates=10", "invalid_candidates"),
                Arguments.of("/search?q=cat&candidates=1001", "invalid_candidates"),
                Arguments.of("/search?q=cat&candidates=0", "invalid_candidates"),
                Arguments.of("/search?q=cat&sources=cam-a,bad%20id", "invalid_filters"),
                Arguments.of("/search?q=cat&sources=", "invalid_filters"),
                Arguments.of("/search?q=cat&tenant=a/b", "invalid_filters"),
                Arguments.of("/search?q=cat&fromMicros=10&toMicros=10", "invalid_filters"),
                Arguments.of("/search?q=cat&fromMicros=-1", "invalid_filters"),
                Arguments.of("/search?q=cat&toMicros=soon", "invalid_filters"),
                Arguments.of("/search?q=cat&tags=,", "invalid_filters"),
                Arguments.of("/search?q=cat&rerank=maybe", "invalid_rerank"),
                Arguments.of("/search?q=cat&modelVersion=v999", "unknown_model_version"),
                Arguments.of("/search?q=cat&colour=red", "unknown_parameter"));
    }

    @ParameterizedTest(name = "GET {0} -> 400 {1}")
    @MethodSource("invalidGets")
    void shouldRefuseInvalidQueryParameters(String pathAndQuery, String code) throws Exception {
        HttpResponse<String> response = get(service, pathAndQuery);
        assertEquals(400, response.statusCode(), response.body());
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertEquals(code, error.get("code").asText(), response.body());
        assertFalse(error.get("message").asText().isBlank());
    }

    static Stream<Arguments> invalidPosts() {
        return Stream.of(
                Arguments.of("{}", "empty_text"),
                Arguments.of("{\"text\": \"   \"}", "empty_text"),
                Arguments.of("{\"text\": \"" + "b".repeat(1001) + "\"}", "text_too_long"),
                Arguments.of("{\"text\": \"cat\", \"k\": -1}", "invalid_k"),
                Arguments.of("{\"text\": \"cat\", \"k\": 5, \"candidates\": 4}", "invalid_candidates"),
                Arguments.of("{\"text\": \"cat\", \"candidates\": 5000}", "invalid_candidates"),
                Arguments.of("{\"text\": \"cat\", \"filters\": {\"sources\": [\"../etc\"]}}", "invalid_filters"),
                Arguments.of("{\"text\": \"cat\", \"filters\": {\"tags\": [\"\"]}}", "invalid_filters"),
                Arguments.of("{\"text\": \"cat\", \"filters\": {\"timeRange\": {}}}", "invalid_filters"),
                Arguments.of(
                        "{\"text\": \"cat\", \"filters\": {\"timeRange\": {\"fromMicros\": 9, \"toMicros\": 3}}}",
                        "invalid_filters"),
                Arguments.of("{\"text\": \"cat\", \"filters\": {\"colour\": \"red\"}}", "malformed_json"),
                Arguments.of("{\"text\": \"cat\", \"filters\": {\"sources\": \"cam-a\"}}", "malformed_json"),
                Arguments.of("{\"text\": \"cat\", \"k\": \"ten\"}", "malformed_json"),
                Arguments.of("{\"text\": \"cat\"", "malformed_json"),
                Arguments.of("", "empty_body"),
                Arguments.of("{\"text\": \"cat\", \"modelVersion\": \"v999\"}", "unknown_model_version"),
                Arguments.of("{\"text\": \"cat\", \"modelVersion\": \" \"}", "unknown_model_version"));
    }

    @ParameterizedTest(name = "POST {0} -> 400 {1}")
    @MethodSource("invalidPosts")
    void shouldRefuseInvalidBodies(String body, String code) throws Exception {
        HttpResponse<String> response = post(service, body);
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(
                code, JSON.readTree(response.body()).get("error").get("code").asText(), response.body());
    }

    @Test
    void shouldRefuseBodiesOverTheLimit() throws Exception {
        HttpResponse<String> response = post(service, "{\"text\": \"" + "c".repeat(70_000) + "\"}");
        assertEquals(413, response.statusCode());
        assertEquals(
                "payload_too_large",
                JSON.readTree(response.body()).get("error").get("code").asText());
    }

    @Test
    void shouldRequireAKeyOnlyWhenKeysAreConfigured() throws Exception {
        assertEquals(200, get(service, "/search?q=cat&k=1").statusCode(), "keys off: open");
        QueryService locked = start(Map.of("CLIP4S_QUERY_API_KEYS", KEY));
        try {
            HttpResponse<String> refused = get(locked, "/search?q=cat&k=1");
            assertEquals(401, refused.statusCode());
            assertEquals(
                    "unauthorized",
                    JSON.readTree(refused.body()).get("error").get("code").asText());
            assertEquals(
                    401,
                    get(locked, "/search?q=cat", "X-Api-Key", KEY + "-wrong").statusCode());
            assertEquals(401, get(locked, "/thumbnails/cam-a:1").statusCode());
            assertEquals(401, get(locked, "/sources").statusCode());
            assertEquals(200, get(locked, "/search?q=cat&k=1", "X-Api-Key", KEY).statusCode());
            assertEquals(
                    200,
                    get(locked, "/search?q=cat&k=1", "Authorization", "Bearer " + KEY)
                            .statusCode());
            assertEquals(200, get(locked, "/").statusCode(), "the page itself is public");
            assertEquals(200, get(locked, "/openapi.json").statusCode(), "the API document is public");
            assertEquals(200, get(locked, "/health").statusCode());
        } finally {
            locked.close();
        }
    }

    @Test
    void shouldFlagPartialResultsWhenAShardIsDown() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        QueryService halfDown =
                start(Map.of("CLIP4S_QUERY_INDEX_URLS", shardA.uri() + ",http://127.0.0.1:" + deadPort));
        try {
            JsonNode result = ok(get(halfDown, "/search?q=cat&k=4"));
            assertTrue(result.get("partial").asBoolean());
            assertEquals("ok", result.get("shards").get(0).get("status").asText());
            assertEquals("failed", result.get("shards").get(1).get("status").asText());
            assertNotNull(result.get("shards").get(1).get("error").asText());
            assertEquals(4, result.get("hits").size());
            result.get("hits")
                    .forEach(hit -> assertEquals("cam-a", hit.get("sourceId").asText()));
        } finally {
            halfDown.close();
        }
    }

    @Test
    void shouldFlagPartialResultsWhenAShardIsTooSlow() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket stalled = new ServerSocket(0)) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(stalled.accept()); // accepts and never answers
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            QueryService slow = start(Map.of(
                    "CLIP4S_QUERY_INDEX_URLS",
                    shardA.uri() + ",http://127.0.0.1:" + stalled.getLocalPort(),
                    "CLIP4S_QUERY_SHARD_TIMEOUT_MS",
                    "300"));
            try {
                JsonNode result = ok(get(slow, "/search?q=cat&k=2"));
                assertTrue(result.get("partial").asBoolean());
                // Only the stalled shard's fate is certain; on a loaded machine the live one may also be too slow.
                assertEquals(
                        "timeout", result.get("shards").get(1).get("status").asText());
                assertTrue(result.get("shards").get(1).get("error").asText().contains("300 ms"));
            } finally {
                slow.close();
                stalled.close();
                acceptor.join();
                for (Socket socket : held) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void shouldDiscoverShardsFromTheShardMapAndFlagUnservedPartitions() throws Exception {
        shardA.answerShardMap(new IndexWire.ShardMap(
                "a", "clip4stream-index", "RUNNING", 2, List.of(shardA.asShardInstance(), shardB.asShardInstance())));
        QueryService discovering = start(
                Map.of("CLIP4S_QUERY_INDEX_URLS", shardA.uri().toString(), "CLIP4S_QUERY_INDEX_DISCOVERY", "metadata"));
        try {
            JsonNode complete = ok(get(discovering, "/search?q=cat&k=30&candidates=30"));
            assertFalse(complete.get("partial").asBoolean(), complete.toString());
            assertEquals(2, complete.get("shards").size());
            assertEquals(24, complete.get("hits").size(), "every clip of both shards");

            shardA.answerShardMap(new IndexWire.ShardMap(
                    "a", "clip4stream-index", "REBALANCING", 3, List.of(shardA.asShardInstance())));
            discovering.close();
            discovering = start(Map.of(
                    "CLIP4S_QUERY_INDEX_URLS", shardA.uri().toString(), "CLIP4S_QUERY_INDEX_DISCOVERY", "metadata"));
            JsonNode partial = ok(get(discovering, "/search?q=cat&k=30&candidates=30"));
            assertTrue(partial.get("partial").asBoolean());
            assertEquals("[1,2]", partial.get("unservedPartitions").toString());
        } finally {
            discovering.close();
            shardA.answerShardMap(null);
        }
    }

    @Test
    void shouldBeUnreadyAndAnswer503WhenNoIndexInstanceCanBeDiscovered() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        QueryService orphan = start(Map.of(
                "CLIP4S_QUERY_INDEX_URLS", "http://127.0.0.1:" + deadPort, "CLIP4S_QUERY_INDEX_DISCOVERY", "metadata"));
        try {
            assertEquals(200, get(service, "/ready").statusCode());
            assertEquals(503, get(orphan, "/ready").statusCode());
            HttpResponse<String> search = get(orphan, "/search?q=cat");
            assertEquals(503, search.statusCode());
            JsonNode error = JSON.readTree(search.body()).get("error");
            assertEquals("index_unavailable", error.get("code").asText());
            assertTrue(error.get("message").asText().contains(":" + deadPort), error.toString());
        } finally {
            orphan.close();
        }
    }

    @Test
    void shouldReportSearchableUpToPerSource() throws Exception {
        JsonNode sources = ok(get(service, "/sources"));
        assertEquals(12 * 12_000_000L, sources.get("sources").get("cam-a").asLong());
        assertEquals(12 * 12_000_000L, sources.get("sources").get("cam-b").asLong());
        assertFalse(sources.get("partial").asBoolean());
    }

    @Test
    void shouldAnswerInFirstStageOrderAndSayWhyWithoutATightHead() throws Exception {
        try (TinyIndexFixture loose = TinyIndexFixture.withoutTightHead(modelDir.resolve("loose"))) {
            loose.addClips("cam-c", 6, "default", List.of());
            try (InMemoryIndexServer index = loose.serve(List.of(), List.of(0))) {
                QueryService own = new QueryService(
                        QueryConfig.fromEnv(
                                TinyIndexFixture.env(modelDir, index.uri().toString(), Map.of())),
                        loose.model());
                own.start();
                try {
                    JsonNode result = ok(get(own, "/search?q=cat&k=6"));
                    assertFalse(result.get("reranked").asBoolean());
                    assertTrue(result.get("rerankNote").asText().contains("no tightTransf weights"));
                    JsonNode model = ok(get(own, "/model"));
                    assertTrue(model.get("rerankHead").isNull(), model.toString());
                    assertTrue(model.get("rerankNote").asText().contains("no tightTransf weights"), model.toString());
                    double previous = Double.POSITIVE_INFINITY;
                    for (JsonNode hit : result.get("hits")) {
                        assertEquals(
                                hit.get("firstStageScore").asDouble(),
                                hit.get("score").asDouble());
                        assertTrue(hit.get("score").asDouble() <= previous);
                        previous = hit.get("score").asDouble();
                    }
                } finally {
                    own.close();
                }
            }
        }
    }

    @Test
    void shouldNotReRankWithATightHeadThatWasNeverTrained() throws Exception {
        try (TinyIndexFixture zeroShot = TinyIndexFixture.withUntrainedTightHead(modelDir.resolve("zero-shot"))) {
            assertTrue(zeroShot.model().hasTightHead(), "the weights are there");
            zeroShot.addClips("cam-z", 4, "default", List.of());
            try (InMemoryIndexServer index = zeroShot.serve(List.of(), List.of(0))) {
                QueryService own = new QueryService(
                        QueryConfig.fromEnv(
                                TinyIndexFixture.env(modelDir, index.uri().toString(), Map.of())),
                        zeroShot.model());
                own.start();
                try {
                    JsonNode result = ok(get(own, "/search?q=cat&k=4"));
                    assertFalse(result.get("reranked").asBoolean());
                    assertTrue(
                            result.get("rerankNote").asText().contains("tightTransf weights that were never trained"),
                            result.toString());
                    JsonNode model = ok(get(own, "/model"));
                    assertTrue(model.get("tightHead").asBoolean(), "the weights are there: " + model);
                    assertTrue(model.get("rerankHead").isNull(), "but they do not re-rank: " + model);
                    assertTrue(model.get("rerankNote").asText().contains("never trained"), model.toString());
                } finally {
                    own.close();
                }
            }
        }
    }

    @Test
    void shouldLimitTheRatePerClient() throws Exception {
        QueryService limited =
                start(Map.of("CLIP4S_QUERY_RATE_LIMIT_BURST", "2", "CLIP4S_QUERY_RATE_LIMIT_PER_SECOND", "0.001"));
        try {
            assertEquals(200, get(limited, "/search?q=cat&k=1").statusCode());
            assertEquals(200, get(limited, "/search?q=dog&k=1").statusCode());
            HttpResponse<String> refused = get(limited, "/search?q=bird&k=1");
            assertEquals(429, refused.statusCode());
            assertEquals(
                    "rate_limited",
                    JSON.readTree(refused.body()).get("error").get("code").asText());
            assertTrue(
                    Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        } finally {
            limited.close();
        }
    }

    @Test
    void shouldAnswerCorsPreflightsForAllowedOriginsOnly() throws Exception {
        QueryService cors =
                start(Map.of("CLIP4S_QUERY_CORS_ORIGINS", "https://app.example", "CLIP4S_QUERY_API_KEYS", KEY));
        try {
            HttpResponse<String> preflight = CLIENT.send(
                    HttpRequest.newBuilder(cors.uri().resolve("/search"))
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                            .header("Origin", "https://app.example")
                            .header("Access-Control-Request-Method", "POST")
                            .header("Access-Control-Request-Headers", "content-type, x-api-key")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, preflight.statusCode());
            assertEquals(
                    "https://app.example",
                    preflight
                            .headers()
                            .firstValue("Access-Control-Allow-Origin")
                            .orElseThrow());
            assertTrue(preflight
                    .headers()
                    .firstValue("Access-Control-Allow-Headers")
                    .orElseThrow()
                    .contains("X-Api-Key"));
            HttpResponse<String> foreign = CLIENT.send(
                    HttpRequest.newBuilder(cors.uri().resolve("/search"))
                            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                            .header("Origin", "https://evil.example")
                            .header("Access-Control-Request-Method", "POST")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, foreign.statusCode());
            HttpResponse<String> search =
                    get(cors, "/search?q=cat&k=1", "Origin", "https://app.example", "X-Api-Key", KEY);
            assertEquals(200, search.statusCode());
            assertEquals(
                    "https://app.example",
                    search.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        } finally {
            cors.close();
        }
    }

    @Test
    void shouldEncodeARepeatedQueryOnceAndExportTheCacheHits() throws Exception {
        String text = "cache-probe-" + System.nanoTime();
        JsonNode first = ok(get(service, "/search?q=" + text + "&k=3"));
        JsonNode second = ok(get(service, "/search?q=" + text + "&k=3"));
        assertEquals(first.get("hits"), second.get("hits"), "the cached encoding ranks as the first did");
        String metrics = get(service, "/metrics").body();
        double hits = metricValue(metrics, "clip4stream_query_text_cache_lookups_total{result=\"hit\"}");
        assertTrue(hits >= 1, metrics);
    }

    private static double metricValue(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError(series + " is not exported:\n" + exposition);
    }

    @Test
    void shouldServeTheOpenApiDocumentAndThePage() throws Exception {
        JsonNode model = ok(get(service, "/model"));
        assertEquals("tightTransf", model.get("rerankHead").asText(), model.toString());
        assertTrue(model.get("rerankNote").isNull(), model.toString());
        assertEquals(model, ok(get(service, "/config.json")).get("model"), "the page shows what /model says");
        JsonNode openApi = ok(get(service, "/openapi.json"));
        assertTrue(openApi.get("paths").has("/model"), "documented");
        assertTrue(openApi.get("openapi").asText().startsWith("3."));
        assertTrue(openApi.get("paths").has("/search"));
        HttpResponse<String> page = get(service, "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<form id=\"search-form\""));
        assertEquals(404, get(service, "/no-such-page").statusCode());
    }
}
