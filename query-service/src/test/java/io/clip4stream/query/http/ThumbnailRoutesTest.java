package io.clip4stream.query.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.query.engine.SearchEngine;
import io.clip4stream.query.engine.ThumbnailCache;
import io.clip4stream.query.fanout.ShardException;
import io.clip4stream.runtime.http.HttpHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /thumbnails/{clipId}} fetching a returned clip's thumbnail from a stand-in for the index, once. */
class ThumbnailRoutesTest {
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, 1, 2, 3};

    private final ThumbnailCache cache = new ThumbnailCache(10);
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpHost host;

    @BeforeEach
    void start() {
        // The stand-in index: "cam:1" has a thumbnail, "cam:2" none, "down:1" cannot be looked up.
        Map<String, byte[]> stored = Map.of("cam:1", JPEG);
        ThumbnailRoutes routes = new ThumbnailRoutes(cache, clipId -> {
            asked.add(clipId);
            if (clipId.startsWith("down")) {
                throw new ShardException("index instance http://127.0.0.1:1 did not answer");
            }
            return Optional.ofNullable(stored.get(clipId));
        });
        host = HttpHost.builder("query")
                .port(0)
                .bindAddress("127.0.0.1")
                .route(SearchEngine.THUMBNAIL_PATH, routes::handle)
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private HttpResponse<byte[]> get(String clipId) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(host.uri() + SearchEngine.THUMBNAIL_PATH + clipId))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aReturnedClipsThumbnailIsFetchedOnceAndThenServedFromTheCache() throws Exception {
        cache.allow("cam:1");

        HttpResponse<byte[]> first = get("cam:1");
        HttpResponse<byte[]> second = get("cam:1");

        assertEquals(200, first.statusCode());
        assertEquals("image/jpeg", first.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(JPEG, first.body());
        assertArrayEquals(JPEG, second.body());
        assertEquals(List.of("cam:1"), asked);
    }

    @Test
    void aClipNoSearchReturnedIsNotLookedUp() throws Exception {
        HttpResponse<byte[]> response = get("cam:1");

        assertEquals(404, response.statusCode());
        assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("recent searches"));
        assertEquals(List.of(), asked);
    }

    @Test
    void aClipWithoutThumbnailIsNotFoundAndAnUnreachableIndexIsUnavailable() throws Exception {
        cache.allow("cam:2");
        cache.allow("down:1");

        assertEquals(404, get("cam:2").statusCode());
        HttpResponse<byte[]> down = get("down:1");
        assertEquals(503, down.statusCode());
        assertTrue(new String(down.body(), StandardCharsets.UTF_8).contains("index_unavailable"));
    }
}
