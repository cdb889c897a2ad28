package io.clip4stream.query.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.runtime.http.HttpHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /media/} and {@code /media-links/} against an in-process server standing in for the ingest-service. */
class MediaRoutesTest {
    private static final String KEY = "query-key-0123456789";
    private static final byte[] VIDEO = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpHost ingest;
    private HttpHost query;

    private void start(boolean keys) {
        ingest = HttpHost.builder("fake-ingest")
                .port(0)
                .bindAddress("127.0.0.1")
                .route("/", exchange -> {
                    seen.add(exchange.method() + " " + exchange.path() + " "
                            + exchange.header("Range").orElse("-"));
                    exchange.responseHeader("Content-Range", "bytes 2-5/16");
                    exchange.respond(206, "video/mp4", java.util.Arrays.copyOfRange(VIDEO, 2, 6));
                })
                .build()
                .start();
        IngestProxyRoutes proxy =
                new IngestProxyRoutes(ingest.uri(), "", HttpClient.newHttpClient(), 1000, Duration.ofSeconds(30));
        MediaRoutes routes = new MediaRoutes(
                proxy,
                keys
                        ? Optional.of(new MediaLinks(Set.of(KEY), Duration.ofMinutes(5), System::currentTimeMillis))
                        : Optional.empty());
        query = HttpHost.builder("query")
                .port(0)
                .bindAddress("127.0.0.1")
                .apiKeys(keys ? Set.of(KEY) : Set.of())
                .publicRoute(MediaRoutes.MEDIA, routes::media)
                .route(MediaRoutes.LINKS, routes::link)
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        if (query != null) {
            query.close();
            ingest.close();
        }
    }

    private HttpResponse<byte[]> get(String path, String key, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(query.uri() + path));
        if (key != null) {
            request.header("X-Api-Key", key);
        }
        if (range != null) {
            request.header("Range", range);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void withoutKeysTheVideoIsForwardedWithItsRange() throws Exception {
        start(false);
        HttpResponse<byte[]> response = get("/media/cam-1", null, "bytes=2-5");
        assertEquals(206, response.statusCode());
        assertEquals("video/mp4", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(
                "bytes 2-5/16", response.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals("2345".getBytes(java.nio.charset.StandardCharsets.US_ASCII), response.body());
        assertEquals(List.of("GET /sources/cam-1/media bytes=2-5"), seen);
        JsonNode link = new ObjectMapper()
                .readTree(get("/media-links/cam-1", null, null).body());
        assertEquals("/media/cam-1", link.get("url").asText());
    }

    @Test
    void withKeysOnlyASignedLinkPlays() throws Exception {
        start(true);
        assertEquals(401, get("/media/cam-1", null, "bytes=0-").statusCode(), "no signature");
        assertEquals(401, get("/media/cam-1", KEY, "bytes=0-").statusCode(), "a key header is not a link");
        assertEquals(401, get("/media-links/cam-1", null, null).statusCode(), "links need the key");
        JsonNode link =
                new ObjectMapper().readTree(get("/media-links/cam-1", KEY, null).body());
        String url = link.get("url").asText();
        assertTrue(url.startsWith("/media/cam-1?expires="), url);
        assertEquals(206, get(url, null, "bytes=0-").statusCode());
        assertEquals(
                401,
                get(url.replace("/media/cam-1?", "/media/cam-2?"), null, "bytes=0-")
                        .statusCode(),
                "a link is for its source only");
        assertEquals(
                List.of("GET /sources/cam-1/media bytes=0-" + (IngestProxyRoutes.RANGE_CHUNK_BYTES - 1)),
                seen,
                "open ranges are cut to bounded chunks; nothing unsigned reached the ingest side");
    }

    @Test
    void traversalAndMalformedIdsAreRefusedBeforeForwarding() throws Exception {
        start(false);
        for (String bad : List.of("%2E%2E", "a%2F..%2F..%2Fmetrics", "..%2F..%2Fhealth", "a%20b", "")) {
            assertEquals(400, get("/media/" + bad, null, null).statusCode(), bad);
            assertEquals(400, get("/media-links/" + bad, null, null).statusCode(), bad);
        }
        // The server removes dot segments before routing (RFC 3986), so a literal .. never reaches the media routes at
        // all.
        assertEquals(404, get("/media/..", null, null).statusCode());
        assertEquals(404, get("/media-links/..", null, null).statusCode());
        assertEquals(List.of(), seen);
    }
}
