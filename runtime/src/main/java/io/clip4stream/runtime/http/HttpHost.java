package io.clip4stream.runtime.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1Config;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of a service: {@code /health} (liveness), {@code /ready} (readiness), {@code /metrics} (Prometheus)
 * and the service's own routes, optionally behind API keys. Every request to a service route is timed in
 * {@value #REQUEST_SECONDS} (labels {@code route}, {@code method}, {@code status}).
 *
 * <p>A thin facade over Helidon SE's WebServer (one virtual thread per request): Helidon does the HTTP/1.1 protocol,
 * keep-alive, routing, read and idle timeouts, header, body and concurrency limits ({@link HttpLimits}); this class
 * adds probes, metrics, API keys, JSON errors and a graceful drain on {@link #close()} (requests in flight finish,
 * new ones get 503). Route handlers throw {@link ApiException} for client errors; anything else becomes a logged 500
 * with a JSON body that does not leak internals.
 */
public final class HttpHost implements AutoCloseable {
    /** Header carrying an API key (also accepted: {@code Authorization: Bearer <key>}). */
    public static final String API_KEY_HEADER = "X-Api-Key";

    private static final Logger LOG = LoggerFactory.getLogger(HttpHost.class);
    /** Name of the request-latency histogram every host registers on its registry. */
    public static final String REQUEST_SECONDS = "clip4stream_http_request_seconds";

    private static final Set<String> OPEN_PATHS = Set.of("/health", "/ready", "/metrics");

    private final String service;
    private final String bindAddress;
    private final HttpLimits limits;
    private final WebServer server;
    private final ReadDeadlines readDeadlines;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private final Map<String, ReadinessCheck> readiness;
    private final PrometheusRegistry registry;
    private final List<byte[]> apiKeys;
    private final Set<String> publicPaths;
    private final Histogram requestSeconds;
    private final ObjectMapper json = new ObjectMapper();

    private HttpHost(Builder builder) {
        this.service = builder.service;
        this.readiness = Map.copyOf(builder.readiness);
        this.registry = builder.registry;
        this.apiKeys = builder.apiKeys.stream()
                .map(k -> k.getBytes(StandardCharsets.UTF_8))
                .toList();
        this.publicPaths = Set.copyOf(builder.publicPaths);
        this.requestSeconds = requestHistogram(service, registry);
        this.bindAddress = builder.bindAddress;
        this.limits = builder.limits;
        Map<String, Route> routes = new LinkedHashMap<>();
        routes.put("/health", this::health);
        routes.put("/ready", this::ready);
        routes.put("/metrics", this::metrics);
        routes.putAll(builder.routes);
        this.readDeadlines = new ReadDeadlines(service, limits.readTimeout(), limits.idleTimeout(), System::nanoTime);
        this.server = WebServer.builder()
                .host(builder.bindAddress)
                .port(reservePort(service, builder.bindAddress, builder.port))
                .maxPayloadSize(limits.maxBodyBytes())
                .maxConcurrentRequests(limits.maxConcurrentRequests())
                .idleConnectionTimeout(limits.idleTimeout())
                // The idle check also closes connections stuck in their request line; check often enough to matter.
                .idleConnectionPeriod(idleCheckPeriod(limits))
                // Requests in flight were already drained by close(); this only bounds what is left after that.
                .shutdownGracePeriod(Duration.ofMillis(500))
                // Helidon leaves Nagle's algorithm on: the second write of a small answer then waited for the client's
                // delayed ACK, about 40 ms on Linux (a k-NN answer without thumbnails took 46 ms instead of 8 in
                // bench query). Answers are written whole, so nothing is gained by coalescing.
                .connectionOptions(socket -> socket.tcpNoDelay(true))
                .addProtocol(Http1Config.builder()
                        .maxHeadersSize(limits.maxHeaderBytes())
                        .addReceiveListener(readDeadlines)
                        .build())
                .routing(routing -> routing(routing, routes))
                .build();
    }

    /**
     * Checks that {@code port} can be bound now and returns it, or a free port for 0. Helidon binds only on start, but
     * callers (the index-service advertising its address, tests) need the port as soon as the host is built, and a port
     * in use should fail at build as it did before.
     */
    private static int reservePort(String service, String bindAddress, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(bindAddress), port));
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot listen on " + bindAddress + ":" + port + " for " + service + " (is the port in use?)", e);
        }
    }

    private static Duration idleCheckPeriod(HttpLimits limits) {
        Duration quarter = limits.idleTimeout().dividedBy(4);
        return quarter.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : quarter;
    }

    private void routing(HttpRouting.Builder routing, Map<String, Route> routes) {
        // Helidon tries routes in registration order; longest first keeps the JDK server's "longest prefix wins".
        List<String> paths = new ArrayList<>(routes.keySet());
        paths.sort(Comparator.comparingInt(String::length).reversed());
        for (String path : paths) {
            Route route = routes.get(path);
            if (path.endsWith("/")) {
                routing.any(path + "*", (req, res) -> dispatch(path, req, res, route));
            } else {
                routing.any(path, (req, res) -> dispatch(path, req, res, route));
                routing.any(path + "/*", (req, res) -> dispatch(path, req, res, route));
            }
        }
        routing.any((req, res) -> dispatch("(none)", req, res, exchange -> {
            throw ApiException.notFound("No route " + exchange.path());
        }));
    }

    /** A builder for the HTTP host of {@code service}. */
    public static Builder builder(String service) {
        return new Builder(service);
    }

    /** Starts serving; returns at once. */
    public HttpHost start() {
        try {
            server.start();
        } catch (RuntimeException e) {
            throw new UncheckedIOException(
                    "Cannot listen on " + bindAddress + ":" + server.prototype().port() + " for " + service
                            + " (is the port in use?)",
                    e.getCause() instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
        LOG.info("{} HTTP listening on {} ({})", service, uri(), limits);
        return this;
    }

    /** The port the host listens on (chosen at build when 0 was asked for). */
    public int port() {
        int bound = server.port();
        return bound > 0 ? bound : server.prototype().port();
    }

    /** The base URI, e.g. {@code http://127.0.0.1:8080}. */
    public URI uri() {
        boolean any = bindAddress.equals("0.0.0.0") || bindAddress.equals("::") || bindAddress.equals("[::]");
        String host = any ? "127.0.0.1" : bindAddress.contains(":") ? "[" + bindAddress + "]" : bindAddress;
        return URI.create("http://" + host + ":" + port());
    }

    /** The limits this host enforces. */
    public HttpLimits limits() {
        return limits;
    }

    /** Whether {@link #close()} has begun: new requests are answered 503 while those in flight finish. */
    public boolean draining() {
        return draining;
    }

    /** Requests being handled right now (probes included). */
    public int inFlight() {
        return inFlight.get();
    }

    /** The registry {@code /metrics} exposes. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Whether every readiness check passes. */
    public boolean isReady() {
        return readiness.values().stream().allMatch(HttpHost::safeReady);
    }

    /**
     * Drains, then stops: new requests get 503 (with {@code Connection: close}) at once, requests in flight get up to
     * {@link HttpLimits#drainTimeout()} to finish, then the listener closes.
     */
    @Override
    public void close() {
        draining = true;
        long deadline = System.nanoTime() + limits.drainTimeout().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            LOG.warn(
                    "{}: {} HTTP requests still running after the drain time {}",
                    service,
                    inFlight.get(),
                    limits.drainTimeout());
        }
        if (server.isRunning()) {
            server.stop();
        }
        readDeadlines.close();
    }

    private static Histogram requestHistogram(String service, PrometheusRegistry registry) {
        Histogram histogram = Histogram.builder()
                .name(REQUEST_SECONDS)
                .help("Time from a request's arrival to its response, per route (probes and metrics excluded).")
                .labelNames("route", "method", "status")
                .classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
                .build();
        try {
            registry.register(histogram);
        } catch (IllegalArgumentException e) {
            // Another host already registered it on this shared registry; this host's requests go unexported rather
            // than failing the service.
            LOG.warn("{}: {} is already registered on this registry; its requests are not exported", service, e);
        }
        return histogram;
    }

    private void dispatch(String context, ServerRequest request, ServerResponse response, Route route) {
        Exchange exchange = new Exchange(request, response, json, readDeadlines);
        long started = System.nanoTime();
        inFlight.incrementAndGet();
        try {
            // Counted before the check, so close() never misses a request that passed it.
            if (draining) {
                response.header(HeaderNames.CONNECTION, "close");
                exchange.responseHeader("Retry-After", "1");
                throw new ApiException(503, "shutting_down", service + " is shutting down; retry on another instance");
            }
            if (needsKey(context, exchange) && !authorised(exchange)) {
                throw new ApiException(
                        401, "unauthorized", "A valid API key is required (header " + API_KEY_HEADER + ")");
            }
            route.handle(exchange);
            if (!exchange.responded()) {
                throw new IllegalStateException("Route " + context + " sent no response");
            }
        } catch (ApiException e) {
            sendError(exchange, e.status(), e.code(), e.getMessage());
        } catch (ServerConnectionException e) {
            // The client went away or stalled and its connection was closed (ReadDeadlines): nobody to answer.
            LOG.debug("{} {}: connection lost while handling the request", exchange.method(), exchange.path(), e);
        } catch (Exception e) {
            LOG.error("{} {} failed", exchange.method(), exchange.path(), e);
            sendError(exchange, 500, "internal_error", "The server failed to handle the request; see its log");
        } finally {
            // Observed before the handler returns, so a client that scrapes right after its answer sees its request.
            if (!OPEN_PATHS.contains(context)) {
                requestSeconds
                        .labelValues(context, exchange.method(), Integer.toString(exchange.status()))
                        .observe((System.nanoTime() - started) / 1e9);
            }
            readDeadlines.answered(request.socketId());
            inFlight.decrementAndGet();
        }
    }

    private void sendError(Exchange exchange, int status, String code, String message) {
        if (exchange.responded()) {
            return;
        }
        try {
            exchange.respondJson(status, Map.of("error", Map.of("code", code, "message", message)));
        } catch (IOException e) {
            LOG.debug("Client went away before the error response", e);
        }
    }

    private boolean needsKey(String context, Exchange exchange) {
        if (OPEN_PATHS.contains(context) || publicPaths.contains(context)) {
            return false;
        }
        // A CORS preflight never carries credentials (Fetch standard), so it cannot be asked for a key; the route
        // answers it with the allowed origins and methods only.
        boolean preflight = exchange.method().equals("OPTIONS")
                && exchange.header("Access-Control-Request-Method").isPresent();
        return !preflight;
    }

    private boolean authorised(Exchange exchange) {
        if (apiKeys.isEmpty()) {
            return true;
        }
        String presented = exchange.header(API_KEY_HEADER)
                .or(() -> exchange.header("Authorization")
                        .filter(h -> h.startsWith("Bearer "))
                        .map(h -> h.substring("Bearer ".length())))
                .orElse("");
        byte[] candidate = presented.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : apiKeys) {
            // Constant-time comparison, and no early exit, so timing reveals nothing about the keys.
            match |= MessageDigest.isEqual(key, candidate);
        }
        return match;
    }

    private void health(Exchange exchange) throws IOException {
        exchange.respondJson(200, Map.of("status", "UP", "service", service));
    }

    private void ready(Exchange exchange) throws IOException {
        Map<String, Boolean> checks = new LinkedHashMap<>();
        readiness.forEach((name, check) -> checks.put(name, safeReady(check)));
        boolean ready = checks.values().stream().allMatch(Boolean::booleanValue);
        exchange.respondJson(
                ready ? 200 : 503,
                Map.of("status", ready ? "READY" : "NOT_READY", "service", service, "checks", checks));
    }

    private void metrics(Exchange exchange) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        exchange.respond(200, PrometheusTextFormatWriter.CONTENT_TYPE, out.toByteArray());
    }

    private static boolean safeReady(ReadinessCheck check) {
        try {
            return check.ready();
        } catch (RuntimeException e) {
            LOG.warn("Readiness check failed", e);
            return false;
        }
    }

    /** Builds an {@link HttpHost}. */
    public static final class Builder {
        private final String service;
        private String bindAddress = "0.0.0.0";
        private int port;
        private final Map<String, ReadinessCheck> readiness = new LinkedHashMap<>();
        private final Map<String, Route> routes = new LinkedHashMap<>();
        private final Set<String> publicPaths = new java.util.HashSet<>();
        private PrometheusRegistry registry = new PrometheusRegistry();
        private Set<String> apiKeys = Set.of();
        private HttpLimits limits = HttpLimits.DEFAULTS;

        private Builder(String service) {
            this.service = Objects.requireNonNull(service, "service");
        }

        /** Port to listen on; 0 picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("HTTP port must be 0-65535; was " + port);
            }
            this.port = port;
            return this;
        }

        /** Address to bind, {@code 0.0.0.0} by default. */
        public Builder bindAddress(String address) {
            this.bindAddress = Objects.requireNonNull(address, "address");
            return this;
        }

        /** Adds a named readiness check shown by {@code /ready}. */
        public Builder readiness(String name, ReadinessCheck check) {
            readiness.put(name, check);
            return this;
        }

        /** Serves {@code route} for {@code path} and everything below it. */
        public Builder route(String path, Route route) {
            if (OPEN_PATHS.contains(path) || routes.containsKey(path)) {
                throw new IllegalArgumentException("Path " + path + " is already served");
            }
            routes.put(path, route);
            return this;
        }

        /** Serves {@code route} for {@code path} and everything below it without asking for an API key (web pages). */
        public Builder publicRoute(String path, Route route) {
            route(path, route);
            publicPaths.add(path);
            return this;
        }

        /** The metrics registry to expose (a fresh one by default). */
        public Builder registry(PrometheusRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Requires one of these API keys on every route but health, readiness and metrics; empty disables it. */
        public Builder apiKeys(Set<String> keys) {
            for (String key : keys) {
                if (key.length() < 16) {
                    throw new IllegalArgumentException("API keys must have at least 16 characters");
                }
            }
            this.apiKeys = Set.copyOf(keys);
            return this;
        }

        /** Timeouts and size, concurrency and drain bounds ({@link HttpLimits#DEFAULTS} unless set). */
        public Builder limits(HttpLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The host, configured but not started. */
        public HttpHost build() {
            return new HttpHost(this);
        }
    }

    @Override
    public String toString() {
        return "HttpHost[" + service + " " + (apiKeys.isEmpty() ? "open" : "api keys") + ", readiness "
                + String.join(",", readiness.keySet()) + "]";
    }
}
