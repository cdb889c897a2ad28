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
 * Indexed with model A, served with model B: a search finds nothing, and the answer says why, naming the versions
 * that hold clips and how many (summed over the shards), instead of an empty list with no word.
 */
class EmptyModelVersionApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path modelDir;

    private static TinyIndexFixture fixture;
    private static InMemoryIndexServer shard0;
    private static InMemoryIndexServer shard1;
    private static QueryService service;

    @BeforeAll
    static void start() throws Exception {
        fixture = TinyIndexFixture.withoutTightHead(modelDir);
        fixture.addClipsUnder("model-a", "cam-a", 5).addClipsUnder("model-a", "cam-b", 3);
        fixture.addClipsUnder("model-c", "cam-c", 1);
        shard0 = fixture.serve(List.of("cam-a"), List.of(0));
        shard1 = fixture.serve(List.of("cam-b", "cam-c"), List.of(1));
        service = new QueryService(
                QueryConfig.fromEnv(TinyIndexFixture.env(modelDir, shard0.uri() + "," + shard1.uri(), Map.of())),
                fixture.model());
        service.start();
    }

    @AfterAll
    static void stop() {
        service.close();
        shard0.close();
        shard1.close();
        fixture.close();
    }

    private static JsonNode search(String pathAndQuery) throws Exception {
        HttpResponse<String> response = CLIENT.send(
                HttpRequest.newBuilder(URI.create(service.uri() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    @Test
    void shouldNoteThatTheServedVersionHoldsNoClipsNamingTheVersionsThatDoWithTheirCounts() throws Exception {
        JsonNode result = search("/search?q=a%20red%20ball&k=5");
        String served = fixture.info().modelVersion();
        assertEquals(served, result.get("modelVersion").asText());
        assertEquals(0, result.get("hits").size(), result.toString());
        assertEquals(
                "model version '" + served + "' holds no clips, but the index holds 8 clips under 'model-a', 1 clip"
                        + " under 'model-c': those clips were embedded by another model version, so a search with"
                        + " this one cannot find them",
                result.get("note").asText(),
                result.toString());
    }

    @Test
    void shouldSayNothingWhenTheServedVersionHoldsClipsThatTheFiltersLeaveOut() throws Exception {
        try (TinyIndexFixture own = TinyIndexFixture.withoutTightHead(modelDir.resolve("own"))) {
            own.addClips("cam-z", 2, "acme", List.of());
            try (InMemoryIndexServer shard = own.serve(List.of(), List.of(0));
                    QueryService ownService = new QueryService(
                            QueryConfig.fromEnv(TinyIndexFixture.env(
                                    modelDir.resolve("own"), shard.uri().toString(), Map.of())),
                            own.model())) {
                ownService.start();
                HttpResponse<String> response = CLIENT.send(
                        HttpRequest.newBuilder(
                                        URI.create(ownService.uri() + "/search?q=a%20red%20ball&sources=nowhere"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, response.statusCode(), response.body());
                JsonNode result = JSON.readTree(response.body());
                assertEquals(0, result.get("hits").size(), result.toString());
                assertTrue(result.get("note").isNull(), result.toString());
            }
        }
    }
}
