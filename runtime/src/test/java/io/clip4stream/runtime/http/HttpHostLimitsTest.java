package io.clip4stream.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bounds the HTTP host enforces: stalled headers, oversized bodies, shutdown drain. */
class HttpHostLimitsTest {
    // Generous: the test only needs "eventually", and the machine may be shared and loaded.
    private static final Duration EVENTUALLY = Duration.ofSeconds(60);
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void connectionsThatSendHalfAHeaderAreClosedByTheServer() throws Exception {
        int connections = 300;
        HttpLimits limits = new HttpLimits(
                Duration.ofMillis(500), Duration.ofMillis(500), 16 * 1024, 1024 * 1024, 64, Duration.ofSeconds(5));
        try (HttpHost host = HttpHost.builder("slowloris")
                .bindAddress("127.0.0.1")
                .port(0)
                .limits(limits)
                .build()
                .start()) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    Socket socket = new Socket("127.0.0.1", host.port());
                    OutputStream out = socket.getOutputStream();
                    // Most send a request line and half a header, never the blank line that ends the header block;
                    // some stop inside the request line itself.
                    String half = i % 10 == 0 ? "GET /hea" : "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
                    out.write(half.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    sockets.add(socket);
                }
                long deadline = System.nanoTime() + EVENTUALLY.toNanos();
                int closed = 0;
                for (Socket socket : sockets) {
                    if (closedByServer(socket, deadline)) {
                        closed++;
                    }
                }
                assertEquals(connections, closed, "every half-header connection is closed by the server");
                // And the host still serves whole requests.
                assertEquals(
                        200,
                        client.send(
                                        HttpRequest.newBuilder(host.uri().resolve("/health"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode());
            } finally {
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
        }
    }

    /** Reads until the server closes the connection (end of stream or reset), or the deadline passes. */
    private static boolean closedByServer(Socket socket, long deadline) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[1024];
        while (System.nanoTime() < deadline) {
            socket.setSoTimeout(1000);
            try {
                if (in.read(buffer) < 0) {
                    return true;
                }
                // An error response before closing is fine; keep reading until the close.
            } catch (SocketTimeoutException e) {
                // Still open: wait on.
            } catch (IOException e) {
                return true; // reset by the server
            }
        }
        return false;
    }

    @Test
    void aConnectionWhoseBodyStallsIsClosedByTheServer() throws Exception {
        try (HttpHost host = HttpHost.builder("slow-body")
                        .bindAddress("127.0.0.1")
                        .port(0)
                        .limits(HttpLimits.DEFAULTS.withReadTimeout(Duration.ofMillis(500)))
                        .route(
                                "/upload",
                                exchange -> exchange.respondJson(200, Map.of("bytes", exchange.body(1024).length)))
                        .build()
                        .start();
                Socket socket = new Socket("127.0.0.1", host.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n" + "x".repeat(10))
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(closedByServer(socket, System.nanoTime() + EVENTUALLY.toNanos()));
        }
    }

    @Test
    void aFiftyMegabyteBodyToASmallRouteGets413() throws Exception {
        try (HttpHost host = HttpHost.builder("big-body")
                .bindAddress("127.0.0.1")
                .port(0)
                .limits(HttpLimits.DEFAULTS.withMaxBodyBytes(1L << 30))
                .route("/search", exchange -> exchange.respondJson(200, exchange.readJson(Map.class, 64 * 1024)))
                .build()
                .start()) {
            byte[] body = new byte[50 * 1024 * 1024];
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(host.uri().resolve("/search"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, response.statusCode());
            assertTrue(response.body().contains("payload_too_large"), response.body());
        }
    }

    @Test
    void aBodyOverTheListenerLimitGets413() throws Exception {
        try (HttpHost host = HttpHost.builder("listener-cap")
                .bindAddress("127.0.0.1")
                .port(0)
                .limits(HttpLimits.DEFAULTS.withMaxBodyBytes(1024))
                // The route itself would take far more: the listener's cap answers first.
                .route(
                        "/upload",
                        exchange -> exchange.respondJson(200, Map.of("bytes", exchange.body(1L << 30).length)))
                .build()
                .start()) {
            HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(host.uri().resolve("/upload"))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[4096]))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(413, response.statusCode());
        }
    }

    @Test
    void shutdownLetsARequestInFlightFinishWhileNewOnesGet503() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpHost host = HttpHost.builder("drain")
                .bindAddress("127.0.0.1")
                .port(0)
                .limits(HttpLimits.DEFAULTS.withDrainTimeout(EVENTUALLY))
                .route("/slow", exchange -> {
                    entered.countDown();
                    release.await();
                    exchange.respondJson(200, Map.of("done", true));
                })
                .build()
                .start();
        URI base = host.uri();
        // Opened now, so the new request below reuses a live connection rather than racing the listener's close.
        HttpClient keepAlive =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertEquals(
                200,
                keepAlive
                        .send(
                                HttpRequest.newBuilder(base.resolve("/health")).build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
                HttpRequest.newBuilder(base.resolve("/slow")).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(entered.await(EVENTUALLY.toSeconds(), TimeUnit.SECONDS));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(host::close);
        while (!closingStarted(host)) {
            Thread.sleep(10);
        }
        int refused;
        try {
            refused = keepAlive
                    .send(HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode();
        } catch (IOException e) {
            refused = -1; // the connection was refused: also a correct answer to a request during shutdown
        }
        assertTrue(refused == 503 || refused == -1, "a new request during the drain gets 503; got " + refused);
        release.countDown();
        HttpResponse<String> finished = inFlight.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertEquals("{\"done\":true}", finished.body());
        closing.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void requestsOverTheConcurrencyLimitGet503() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (HttpHost host = HttpHost.builder("busy")
                .bindAddress("127.0.0.1")
                .port(0)
                .limits(HttpLimits.DEFAULTS.withMaxConcurrentRequests(1))
                .route("/slow", exchange -> {
                    entered.countDown();
                    release.await();
                    exchange.respondJson(200, Map.of("done", true));
                })
                .build()
                .start()) {
            CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                    HttpRequest.newBuilder(host.uri().resolve("/slow")).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(EVENTUALLY.toSeconds(), TimeUnit.SECONDS));
            HttpResponse<String> refused = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(host.uri().resolve("/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode());
            release.countDown();
            assertEquals(200, slow.get(EVENTUALLY.toSeconds(), TimeUnit.SECONDS).statusCode());
        }
    }

    private static boolean closingStarted(HttpHost host) {
        return host.draining();
    }
}
