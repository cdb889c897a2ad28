package io.clip4stream.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.query.bench.InMemoryIndexServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query service's HTTP bounds as a client meets them. */
class QueryHttpLimitsTest {
    @TempDir
    Path modelDir;

    @Test
    void aFiftyMegabyteBodyToSearchGets413NotAReset() throws Exception {
        TinyIndexFixture fixture = TinyIndexFixture.withTightHead(modelDir);
        fixture.addClips("cam-a", 2, "acme", List.of());
        try (InMemoryIndexServer shard = fixture.serve(List.of("cam-a"), List.of(0, 1))) {
            QueryService service = new QueryService(
                    QueryConfig.fromEnv(
                            TinyIndexFixture.env(modelDir, shard.uri().toString(), Map.of())),
                    fixture.model());
            service.start();
            try {
                HttpResponse<String> response = HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(service.uri().resolve("/search"))
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[50 * 1024 * 1024]))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                assertEquals(413, response.statusCode(), response.body());
                assertTrue(response.body().contains("payload_too_large"), response.body());
            } finally {
                service.close();
                fixture.close();
            }
        }
    }
}
