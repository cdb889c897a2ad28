package io.clip4stream.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * {@code CLIP4S_QUERY_FOLLOW_MODELS}: on (the default) a query service reads the models topic on a thread of its own;
 * off it starts no such consumer and serves its configured model alike.
 */
class FollowModelsTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final String CATALOG_THREAD = "model-catalog-";

    @TempDir
    static Path modelDir;

    private static TinyIndexFixture fixture;
    private static InMemoryIndexServer shard;

    @BeforeAll
    static void start() throws Exception {
        fixture = TinyIndexFixture.withoutTightHead(modelDir);
        fixture.addClips("cam-a", 5, "acme", List.of());
        shard = fixture.serve(List.of("cam-a"), List.of(0));
    }

    @AfterAll
    static void stop() {
        shard.close();
        fixture.close();
    }

    @Test
    void shouldFollowTheModelsTopicByDefault() {
        QueryConfig config =
                QueryConfig.fromEnv(TinyIndexFixture.env(modelDir, shard.uri().toString(), Map.of()));
        assertTrue(config.followModels());
        try (QueryService service = new QueryService(config, fixture.model())) {
            service.start();
            assertTrue(catalogThreadRuns(), "a catalog consumer thread runs");
        }
    }

    @Test
    void shouldServeTheConfiguredModelWithoutACatalogConsumerWhenOff() throws Exception {
        QueryConfig config = QueryConfig.fromEnv(
                TinyIndexFixture.env(modelDir, shard.uri().toString(), Map.of("CLIP4S_QUERY_FOLLOW_MODELS", "false")));
        assertFalse(config.followModels());
        try (QueryService service = new QueryService(config, fixture.model())) {
            service.start();
            HttpResponse<String> response = CLIENT.send(
                    HttpRequest.newBuilder(URI.create(service.uri() + "/search?q=a%20red%20ball&k=3"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("cam-a"), response.body());
            assertFalse(catalogThreadRuns(), "no catalog consumer thread");
        }
    }

    private static boolean catalogThreadRuns() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.isAlive() && thread.getName().startsWith(CATALOG_THREAD));
    }
}
