package io.clip4stream.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.query.bench.InMemoryIndexServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live source's growing clip (provisional, fewer frames than a closed clip) comes back from the index flagged, keeps
 * the flag through the search JSON, and is re-ranked by the tight head like any other clip, with both gathers.
 */
class ProvisionalHitsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String QUERY = "/search?q=a%20man%20riding%20a%20red%20bike&k=10&candidates=20";

    @TempDir
    static Path modelDir;

    private static TinyIndexFixture fixture;
    private static InMemoryIndexServer shard;
    private static QueryService twoPhase;
    private static QueryService onePhase;

    @BeforeAll
    static void start() throws Exception {
        fixture = TinyIndexFixture.withTightHead(modelDir);
        fixture.addClips("cam-a", 6, "acme", List.of()).addProvisionalClip("live", 0, 2);
        shard = fixture.serve(List.of(), List.of(0));
        twoPhase = start(Map.of());
        onePhase = start(Map.of("CLIP4S_QUERY_TWO_PHASE_GATHER", "false"));
    }

    private static QueryService start(Map<String, String> extra) {
        QueryService service = new QueryService(
                QueryConfig.fromEnv(TinyIndexFixture.env(modelDir, shard.uri().toString(), extra)), fixture.model());
        service.start();
        return service;
    }

    @AfterAll
    static void stop() {
        twoPhase.close();
        onePhase.close();
        shard.close();
        fixture.close();
    }

    private static JsonNode search(QueryService on) throws Exception {
        HttpResponse<String> response = CLIENT.send(
                HttpRequest.newBuilder(URI.create(on.uri() + QUERY)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    @Test
    void theGrowingClipIsFlaggedAndReRankedOnItsFewerFrames() throws Exception {
        for (QueryService service : List.of(twoPhase, onePhase)) {
            JsonNode result = search(service);
            assertTrue(result.get("reranked").asBoolean(), result.toString());
            assertEquals(0, result.get("notReranked").asInt(), result.toString());
            assertEquals(7, result.get("hits").size());
            int flagged = 0;
            for (JsonNode hit : result.get("hits")) {
                boolean live = hit.get("clipId").asText().equals("live:0");
                assertEquals(live, hit.get("provisional").asBoolean(), hit.toString());
                assertTrue(hit.get("reranked").asBoolean(), hit.toString());
                flagged += live ? 1 : 0;
            }
            assertEquals(1, flagged);
        }
    }
}
