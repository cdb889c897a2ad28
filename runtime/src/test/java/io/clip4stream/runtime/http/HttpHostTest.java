package io.clip4stream.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HttpHostTest {

    private static final Duration METRICS_WAIT = Duration.ofSeconds(10);

    private static final String KEY = "0123456789abcdef-key";
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpHost.Builder echoHost() {
        return HttpHost.builder("test-service").port(0).bindAddress("127.0.0.1").route("/echo", exchange -> {
            if (exchange.query().containsKey("missing")) {
                throw ApiException.notFound("No such thing: " + exchange.query().get("missing"));
            }
            if (exchange.query().containsKey("crash")) {
                throw new IllegalStateException("secret internal detail");
            }
            Map<?, ?> body = exchange.readJson(Map.class, 64);
            exchange.respondJson(200, Map.of("echo", body));
        });
    }

    @Test
    void shouldAnswerHealthReadinessAndMetrics() throws Exception {
        AtomicBoolean modelLoaded = new AtomicBoolean(false);
        PrometheusRegistry registry = new PrometheusRegistry();
        Counter frames = Counter.builder().name("frames_total").help("Frames").register(registry);
        frames.inc(3);
        try (HttpHost host = echoHost()
                .registry(registry)
                .readiness("model", modelLoaded::get)
                .build()
                .start()) {
            URI base = host.uri();
            assertEquals(
                    200, send(HttpRequest.newBuilder(base.resolve("/health"))).statusCode());

            HttpResponse<String> notReady = send(HttpRequest.newBuilder(base.resolve("/ready")));
            assertEquals(503, notReady.statusCode());
            assertTrue(notReady.body().contains("\"model\":false"), notReady.body());
            assertFalse(host.isReady());

            modelLoaded.set(true);
            assertEquals(
                    200, send(HttpRequest.newBuilder(base.resolve("/ready"))).statusCode());

            HttpResponse<String> metrics = send(HttpRequest.newBuilder(base.resolve("/metrics")));
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("frames_total 3.0"), metrics.body());
        }
    }

    @Test
    void shouldTimeEveryRouteRequestButNotProbes() throws Exception {
        PrometheusRegistry registry = new PrometheusRegistry();
        try (HttpHost host = echoHost().registry(registry).build().start();
                // A second host on the same registry still serves; only the first one's requests are exported.
                HttpHost second = echoHost().registry(registry).build().start()) {
            URI base = host.uri();
            send(HttpRequest.newBuilder(base.resolve("/echo")).POST(HttpRequest.BodyPublishers.ofString("{}")));
            send(HttpRequest.newBuilder(base.resolve("/echo")).POST(HttpRequest.BodyPublishers.ofString("{")));
            send(HttpRequest.newBuilder(base.resolve("/health")));
            assertEquals(
                    200,
                    send(HttpRequest.newBuilder(second.uri().resolve("/health")))
                            .statusCode());

            // A request is observed once its response is written, so the client can ask for the metrics a moment
            // before the server has recorded its previous request.
            String metrics =
                    send(HttpRequest.newBuilder(base.resolve("/metrics"))).body();
            long deadline = System.nanoTime() + METRICS_WAIT.toNanos();
            while (count(metrics, "route=\"/echo\"") < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
                metrics = send(HttpRequest.newBuilder(base.resolve("/metrics"))).body();
            }
            assertEquals(1.0, count(metrics, "route=\"/echo\"", "status=\"200\""), metrics);
            assertEquals(1.0, count(metrics, "route=\"/echo\"", "status=\"400\""), metrics);
            assertFalse(metrics.contains("route=\"/health\""), metrics);
        }
    }

    private static double count(String metrics, String... labels) {
        return metrics.lines()
                .filter(line -> line.startsWith(HttpHost.REQUEST_SECONDS + "_count{"))
                .filter(line -> java.util.Arrays.stream(labels).allMatch(line::contains))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void shouldStreamBodiesAndAnswerHeadWithTheLengthOnly() throws Exception {
        byte[] video = "0123456789".repeat(1000).getBytes();
        try (HttpHost host = HttpHost.builder("stream")
                .port(0)
                .bindAddress("127.0.0.1")
                .route(
                        "/video",
                        exchange -> exchange.respondStream(
                                200, "video/mp4", video.length, new java.io.ByteArrayInputStream(video)))
                .build()
                .start()) {
            HttpResponse<byte[]> get = client.send(
                    HttpRequest.newBuilder(host.uri().resolve("/video")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, get.statusCode());
            assertEquals(java.util.Arrays.toString(video), java.util.Arrays.toString(get.body()));
            HttpResponse<byte[]> head = client.send(
                    HttpRequest.newBuilder(host.uri().resolve("/video"))
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, head.statusCode());
            assertEquals(
                    Integer.toString(video.length),
                    head.headers().firstValue("Content-Length").orElse(""));
            assertEquals(0, head.body().length);
        }
    }

    @Test
    void shouldTurnErrorsIntoJsonWithoutLeakingInternals() throws Exception {
        try (HttpHost host = echoHost().build().start()) {
            URI base = host.uri();
            HttpResponse<String> ok = send(HttpRequest.newBuilder(base.resolve("/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")));
            assertEquals(200, ok.statusCode());
            assertEquals("{\"echo\":{\"a\":1}}", ok.body());

            HttpResponse<String> malformed = send(
                    HttpRequest.newBuilder(base.resolve("/echo")).POST(HttpRequest.BodyPublishers.ofString("{nope")));
            assertEquals(400, malformed.statusCode());
            assertTrue(malformed.body().contains("\"code\":\"malformed_json\""), malformed.body());

            HttpResponse<String> tooLarge = send(HttpRequest.newBuilder(base.resolve("/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"a\":\"" + "x".repeat(100) + "\"}")));
            assertEquals(413, tooLarge.statusCode());

            HttpResponse<String> missing = send(HttpRequest.newBuilder(base.resolve("/echo?missing=cat")));
            assertEquals(404, missing.statusCode());
            assertTrue(missing.body().contains("No such thing: cat"), missing.body());

            HttpResponse<String> crash = send(HttpRequest.newBuilder(base.resolve("/echo?crash=1")));
            assertEquals(500, crash.statusCode());
            assertFalse(crash.body().contains("secret internal detail"), crash.body());
        }
    }

    @Test
    void shouldRequireApiKeyOnRoutesButNotOnProbes() throws Exception {
        try (HttpHost host = echoHost().apiKeys(Set.of(KEY)).build().start()) {
            URI base = host.uri();
            HttpRequest.Builder post =
                    HttpRequest.newBuilder(base.resolve("/echo")).POST(HttpRequest.BodyPublishers.ofString("{}"));
            assertEquals(401, send(post).statusCode());
            assertEquals(
                    401,
                    send(post.copy().header(HttpHost.API_KEY_HEADER, KEY + "x")).statusCode());
            assertEquals(
                    200, send(post.copy().header(HttpHost.API_KEY_HEADER, KEY)).statusCode());
            assertEquals(
                    200,
                    send(post.copy().header("Authorization", "Bearer " + KEY)).statusCode());
            assertEquals(
                    200, send(HttpRequest.newBuilder(base.resolve("/health"))).statusCode());
            assertEquals(
                    200, send(HttpRequest.newBuilder(base.resolve("/ready"))).statusCode());
        }
    }

    @Test
    void shouldServePublicRoutesAndPreflightsWithoutKeyButNothingElse() throws Exception {
        try (HttpHost host = echoHost()
                .publicRoute(
                        "/page",
                        exchange -> exchange.respond(
                                200,
                                "text/plain",
                                exchange.remoteAddress().getHostAddress().getBytes()))
                .apiKeys(Set.of(KEY))
                .build()
                .start()) {
            URI base = host.uri();
            HttpResponse<String> page = send(HttpRequest.newBuilder(base.resolve("/page")));
            assertEquals(200, page.statusCode());
            assertEquals("127.0.0.1", page.body());
            HttpRequest.Builder preflight = HttpRequest.newBuilder(base.resolve("/echo"))
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", "http://example.test");
            assertEquals(401, send(preflight).statusCode(), "OPTIONS without a preflight header needs a key");
            // The echo route reads a JSON body; an empty preflight gets its 400, proving the route (not auth) answered.
            assertEquals(
                    400,
                    send(preflight.copy().header("Access-Control-Request-Method", "POST"))
                            .statusCode());
        }
    }
}
