package io.clip4stream.query.caption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.runtime.http.HttpHost;
import io.clip4stream.schemas.avro.Caption;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A source missing from the index is "unknown" (400) only when every shard answered; otherwise 503, nothing stored. */
class CaptionRoutesIndexStateTest {

    private static final class ListStore implements CaptionStore {
        final List<Caption> stored = new ArrayList<>();

        @Override
        public synchronized void append(List<Caption> captions) {
            stored.addAll(captions);
        }

        @Override
        public synchronized List<Caption> all() {
            return List.copyOf(stored);
        }
    }

    private static HttpResponse<String> post(CaptionRoutes routes, String body) throws Exception {
        HttpHost host = HttpHost.builder("captions")
                .port(0)
                .bindAddress("127.0.0.1")
                .route(CaptionRoutes.PATH, routes::handle)
                .build()
                .start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                    HttpRequest.newBuilder(URI.create(host.uri().toString().replaceAll("/$", "") + CaptionRoutes.PATH))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            host.close();
        }
    }

    @Test
    void shouldSay503WhenAShardDidNotAnswerAnd400WhenAllDid() throws Exception {
        String caption = "{\"source\": \"cam-2\", \"start\": 0, \"end\": 5, \"text\": \"a van stops\"}";
        ListStore store = new ListStore();
        CaptionValidator validator = new CaptionValidator(() -> 7L);

        HttpResponse<String> incomplete = post(
                new CaptionRoutes(
                        validator,
                        store,
                        () -> new CaptionRoutes.IndexedSources(Map.of("cam-1", 60_000_000L), false),
                        1 << 20),
                caption);
        assertEquals(503, incomplete.statusCode(), incomplete.body());
        assertTrue(incomplete.body().contains("index_incomplete"), incomplete.body());

        HttpResponse<String> complete = post(
                CaptionRoutes.ofCompleteIndex(validator, store, () -> Map.of("cam-1", 60_000_000L), 1 << 20), caption);
        assertEquals(400, complete.statusCode(), complete.body());
        assertTrue(complete.body().contains("unknown source 'cam-2'"), complete.body());

        // A known source is stored even while another shard is down.
        HttpResponse<String> known = post(
                new CaptionRoutes(
                        validator,
                        store,
                        () -> new CaptionRoutes.IndexedSources(Map.of("cam-2", 60_000_000L), false),
                        1 << 20),
                caption);
        assertEquals(201, known.statusCode(), known.body());
        assertEquals(1, store.all().size());
    }
}
