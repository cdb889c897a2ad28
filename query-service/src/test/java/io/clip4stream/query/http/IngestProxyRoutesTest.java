package io.clip4stream.query.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.runtime.http.HttpHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ingest proxy against a real (in-process) HTTP server standing in for the ingest-service. */
class IngestProxyRoutesTest {
    private static final String INGEST_KEY = "ingest-key-0123456789";

    private record Seen(String method, String path, String query, String key, String range, byte[] body) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpHost ingest;
    private HttpHost proxy;

    @BeforeEach
    void start() {
        ingest = HttpHost.builder("fake-ingest")
                .port(0)
                .bindAddress("127.0.0.1")
                .route("/", exchange -> {
                    byte[] body = exchange.body(1 << 20);
                    seen.add(new Seen(
                            exchange.method(),
                            exchange.path(),
                            exchange.query().toString(),
                            exchange.header("X-Api-Key").orElse(null),
                            exchange.header("Range").orElse(null),
                            body));
                    exchange.responseHeader("Content-Range", "bytes 0-3/100");
                    exchange.respondJson(202, Map.of("accepted", body.length));
                })
                .build()
                .start();
        IngestProxyRoutes routes = new IngestProxyRoutes(
                ingest.uri(), INGEST_KEY, HttpClient.newHttpClient(), 1000, Duration.ofSeconds(30));
        proxy = HttpHost.builder("proxy")
                .port(0)
                .bindAddress("127.0.0.1")
                .route("/ingest/", routes::handle)
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        ingest.close();
    }

    @Test
    void shouldForwardAnUploadWithTheIngestKeyAndPassTheAnswerBack() throws Exception {
        byte[] video = new byte[900];
        for (int i = 0; i < video.length; i++) {
            video[i] = (byte) i;
        }
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(proxy.uri() + "/ingest/sources/upload?sourceId=clip%201"))
                        .header("Content-Type", "video/mp4")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(video))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode());
        assertEquals("{\"accepted\":900}", response.body());
        assertEquals(
                "bytes 0-3/100", response.headers().firstValue("Content-Range").orElseThrow());
        Seen request = seen.get(0);
        assertEquals("POST", request.method());
        assertEquals("/sources/upload", request.path());
        assertEquals("{sourceId=clip 1}", request.query());
        assertEquals(INGEST_KEY, request.key());
        assertArrayEquals(video, request.body());
    }

    @Test
    void shouldRefuseUploadsOverTheLimitBeforeForwarding() throws Exception {
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(proxy.uri() + "/ingest/sources/upload"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1001]))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode());
        assertEquals(0, seen.size());
    }

    @Test
    void shouldCutOpenEndedRangesToBoundedChunks() throws Exception {
        client.send(
                HttpRequest.newBuilder(URI.create(proxy.uri() + "/ingest/sources/a/media"))
                        .header("Range", "bytes=100-")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(
                "bytes=100-" + (100 + IngestProxyRoutes.RANGE_CHUNK_BYTES - 1),
                seen.get(0).range());
        assertEquals("bytes=5-9", IngestProxyRoutes.boundedRange("bytes=5-9"));
    }

    @Test
    void shouldForwardOnlyTheSourceRoutes() throws Exception {
        for (String path : List.of("/ingest/metrics", "/ingest/health", "/ingest/sourcesx", "/ingest/")) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(URI.create(proxy.uri() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, response.statusCode(), path);
        }
        assertEquals(0, seen.size());
    }

    @Test
    void shouldAnswer502WhenTheIngestServiceIsDown() throws Exception {
        ingest.close();
        HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(proxy.uri() + "/ingest/sources"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(502, response.statusCode());
    }
}
