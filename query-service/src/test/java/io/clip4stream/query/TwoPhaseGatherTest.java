package io.clip4stream.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.model.tokenize.ClipTokenizer;
import io.clip4stream.query.bench.InMemoryIndexServer;
import io.clip4stream.query.engine.ImageEncoder;
import io.clip4stream.query.engine.QueryEncoder;
import io.clip4stream.query.engine.QueryVectors;
import io.clip4stream.query.engine.SearchEngine;
import io.clip4stream.query.engine.SearchHit;
import io.clip4stream.query.engine.SearchResult;
import io.clip4stream.query.engine.ThumbnailCache;
import io.clip4stream.query.example.ImageDecoder;
import io.clip4stream.query.example.ImageLimits;
import io.clip4stream.query.fanout.ClipLookup;
import io.clip4stream.query.fanout.HttpShardClient;
import io.clip4stream.query.fanout.ScatterGather;
import io.clip4stream.query.fanout.StaticShardDirectory;
import io.clip4stream.query.metrics.QueryMetrics;
import io.clip4stream.query.rerank.BudgetedRerank;
import io.clip4stream.query.rerank.RerankCost;
import io.clip4stream.query.rerank.TightReranker;
import io.clip4stream.query.search.SearchLimits;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-phase gather (ids and scores first, frames only for the global top N) answers exactly as the one-phase
 * gather did, and the re-rank budget marks what it leaves first-stage only.
 */
class TwoPhaseGatherTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String QUERY = "/search?q=a%20man%20riding%20a%20red%20bike&k=10&candidates=20";

    @TempDir
    static Path modelDir;

    private static TinyIndexFixture fixture;
    private static InMemoryIndexServer shardA;
    private static InMemoryIndexServer shardB;
    private static QueryService twoPhase;
    private static QueryService onePhase;

    @BeforeAll
    static void start() throws IOException {
        fixture = TinyIndexFixture.withTightHead(modelDir);
        fixture.addClips("cam-a", 25, "acme", List.of("street")).addClips("cam-b", 25, "other", List.of("night"));
        shardA = fixture.serve(List.of("cam-a"), List.of(0));
        shardB = fixture.serve(List.of("cam-b"), List.of(1));
        twoPhase = start(Map.of());
        onePhase = start(Map.of("CLIP4S_QUERY_TWO_PHASE_GATHER", "false"));
    }

    private static QueryService start(Map<String, String> extra) {
        QueryService service = new QueryService(
                QueryConfig.fromEnv(TinyIndexFixture.env(modelDir, shardA.uri() + "," + shardB.uri(), extra)),
                fixture.model());
        service.start();
        return service;
    }

    @AfterAll
    static void stop() {
        twoPhase.close();
        onePhase.close();
        shardA.close();
        shardB.close();
        fixture.close();
    }

    private static JsonNode search(QueryService on, String pathAndQuery) throws Exception {
        HttpResponse<String> response = CLIENT.send(
                HttpRequest.newBuilder(URI.create(on.uri() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static long framesSent() {
        return shardA.framesSent() + shardB.framesSent();
    }

    @Test
    void twoPhaseGatherReturnsTheSameTopKAndRerankedScoresAsOnePhase() throws Exception {
        long before = framesSent();
        JsonNode expected = search(onePhase, QUERY);
        long onePhaseFrames = framesSent() - before;
        before = framesSent();
        JsonNode actual = search(twoPhase, QUERY);
        long twoPhaseFrames = framesSent() - before;

        assertTrue(expected.get("reranked").asBoolean(), expected.toString());
        assertTrue(actual.get("reranked").asBoolean(), actual.toString());
        assertFalse(actual.get("partial").asBoolean());
        assertEquals(0, actual.get("notReranked").asInt());
        assertEquals(10, actual.get("hits").size());
        for (int i = 0; i < 10; i++) {
            JsonNode want = expected.get("hits").get(i);
            JsonNode got = actual.get("hits").get(i);
            assertEquals(want.get("clipId").asText(), got.get("clipId").asText(), "rank " + (i + 1));
            assertEquals(want.get("score").floatValue(), got.get("score").floatValue(), 1e-6, "rank " + (i + 1));
            assertEquals(
                    want.get("firstStageScore").floatValue(),
                    got.get("firstStageScore").floatValue());
            assertTrue(got.get("reranked").asBoolean());
        }
        // One phase ships every shard's 20 candidates with frames; two phases only the global top 20.
        assertEquals(40, onePhaseFrames);
        assertEquals(20, twoPhaseFrames);
    }

    @Test
    void packedFramesOnTheIndexWireRerankAsFloat32Does() throws Exception {
        QueryService packed = start(Map.of("CLIP4S_QUERY_INDEX_FRAME_ENCODING", "packed-base64"));
        try {
            JsonNode expected = search(twoPhase, QUERY);
            JsonNode actual = search(packed, QUERY);

            assertTrue(actual.get("reranked").asBoolean(), actual.toString());
            assertEquals(expected.get("hits").size(), actual.get("hits").size());
            for (int i = 0; i < expected.get("hits").size(); i++) {
                JsonNode want = expected.get("hits").get(i);
                JsonNode got = actual.get("hits").get(i);
                assertEquals(want.get("clipId").asText(), got.get("clipId").asText(), "rank " + (i + 1));
                // The fixture's index packs float32: the same bits, the same scores.
                assertEquals(want.get("score").floatValue(), got.get("score").floatValue(), "rank " + (i + 1));
            }
        } finally {
            packed.close();
        }
    }

    @Test
    void aZeroBudgetIsFirstStageOnlyAndFetchesNoFrames() throws Exception {
        JsonNode firstStage = search(twoPhase, QUERY + "&rerank=false");
        long before = framesSent();
        JsonNode result = search(twoPhase, QUERY + "&rerankBudgetMs=0");
        assertEquals(before, framesSent());

        assertTrue(result.get("partial").asBoolean(), result.toString());
        assertFalse(result.get("reranked").asBoolean());
        assertEquals(20, result.get("notReranked").asInt());
        for (int i = 0; i < 10; i++) {
            JsonNode hit = result.get("hits").get(i);
            assertFalse(hit.get("reranked").asBoolean());
            assertEquals(
                    firstStage.get("hits").get(i).get("clipId").asText(),
                    hit.get("clipId").asText());
            assertEquals(
                    hit.get("firstStageScore").floatValue(), hit.get("score").floatValue());
        }
        // Shards answered: the answer is partial for the budget alone.
        result.get("shards")
                .forEach(shard -> assertEquals("ok", shard.get("status").asText()));
    }

    @Test
    void anAmpleBudgetReranksEveryCandidateAndIsNotPartial() throws Exception {
        JsonNode unlimited = search(twoPhase, QUERY);
        JsonNode result = search(twoPhase, QUERY + "&rerankBudgetMs=" + SearchLimits.MAX_RERANK_BUDGET_MS);
        assertFalse(result.get("partial").asBoolean(), result.toString());
        assertTrue(result.get("reranked").asBoolean());
        assertEquals(0, result.get("notReranked").asInt());
        for (int i = 0; i < 10; i++) {
            assertEquals(
                    unlimited.get("hits").get(i).get("clipId").asText(),
                    result.get("hits").get(i).get("clipId").asText());
            assertTrue(result.get("hits").get(i).get("reranked").asBoolean());
        }
    }

    @Test
    void aNegativeBudgetIsRefused() throws Exception {
        HttpResponse<String> response = CLIENT.send(
                HttpRequest.newBuilder(URI.create(twoPhase.uri() + QUERY + "&rerankBudgetMs=-5"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("invalid_rerankBudgetMs"), response.body());
    }

    @Test
    void aBudgetThatRunsOutFlagsTheCandidatesLeftFirstStageOnly() {
        // Every reading of the clock moves it 1 ms and the cost is known to be 1 ms a candidate: 10 ms of budget
        // re-rank some of the 20 candidates and leave the others, whatever this machine's speed.
        AtomicLong ticks = new AtomicLong();
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        BudgetedRerank budgeted = new BudgetedRerank(new RerankCost(ms), () -> ticks.addAndGet(ms), 4);
        HttpShardClient shards = new HttpShardClient(HttpClient.newHttpClient(), new ObjectMapper(), "");
        StaticShardDirectory directory = new StaticShardDirectory(List.of(shardA.uri(), shardB.uri()));
        try (ScatterGather gather = new ScatterGather(directory, shards, Duration.ofSeconds(30))) {
            SearchEngine engine = new SearchEngine(
                    fixture.info(),
                    new QueryVectors(
                            new QueryEncoder(fixture.model(), ClipTokenizer.withBundledVocabulary()),
                            new ImageDecoder(new ImageLimits(1 << 20, 1 << 20)),
                            new ImageEncoder(fixture.model()),
                            new ClipLookup(directory, shards, Duration.ofSeconds(30)),
                            fixture.info().modelVersion()),
                    gather,
                    new TightReranker(fixture.model(), 64),
                    new ThumbnailCache(100),
                    new QueryMetrics(new PrometheusRegistry()),
                    null,
                    budgeted,
                    10);
            SearchResult result =
                    engine.search(SearchLimits.defaults().check("a man riding a red bike", 20, 20, null, true, null));

            long reranked = result.hits().stream().filter(SearchHit::reranked).count();
            assertTrue(result.partial());
            assertTrue(result.reranked(), result.rerankNote());
            assertTrue(reranked > 0 && reranked < 20, "re-ranked " + reranked);
            assertEquals(20 - reranked, result.notReranked());
            assertTrue(result.rerankNote().contains("re-ranked " + reranked + " of 20"), result.rerankNote());
            // The re-ranked come first; the rest follow in first-stage order.
            for (int i = 0; i < 20; i++) {
                assertEquals(i < reranked, result.hits().get(i).reranked(), "rank " + (i + 1));
            }
            for (int i = (int) reranked + 1; i < 20; i++) {
                assertTrue(result.hits().get(i - 1).firstStageScore()
                        >= result.hits().get(i).firstStageScore());
            }
        }
    }
}
