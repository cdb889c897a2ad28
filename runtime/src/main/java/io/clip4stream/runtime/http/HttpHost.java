package io.clip4stream.runtime.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of a service: {@code /health} (liveness), {@code /ready} (readiness), {@code /metrics} (Prometheus)
 * and the service's own routes, optionally behind API keys. Every request to a service route is timed in
 * {@value #REQUEST_SECONDS} (labels {@code route}, {@code method}, {@code status}).
 *
 * <p>Built on the JDK's HTTP server with one virtual thread per request. Route handlers throw {@link ApiException}
 * for client errors; anything else becomes a logged 500 with a JSON body that does not leak internals.
 */
public final class HttpHost implements AutoCloseable {
    /** Header carrying an API key (also accepted: {@code Authorization: Bearer <key>}). */
    public static final String API_KEY_HEADER = "X-Api-Key";

    private static final Logger LOG = LoggerFactory.getLogger(HttpHost.class);
    /** Name of the request-latency histogram every host registers on its registry. */
    public static final String REQUEST_SECONDS = "clip4stream_http_request_seconds";

    private static final Set<String> OPEN_PATHS = Set.of("/health", "/ready", "/metrics");

    private final String service;
    private final HttpServer server;
    private final ExecutorService executor;
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
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            this.server = HttpServer.create(new InetSocketAddress(builder.bindAddress, builder.port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot listen on " + builder.bindAddress + ":" + builder.port + " for " + service
                            + " (is the port in use?)",
                    e);
        }
        server.setExecutor(executor);
        server.createContext("/health", http -> dispatch(http, this::health));
        server.createContext("/ready", http -> dispatch(http, this::ready));
        server.createContext("/metrics", http -> dispatch(http, this::metrics));
        builder.routes.forEach((path, route) -> server.createContext(path, http -> dispatch(http, route)));
    }

    /** A builder for the HTTP host of {@code service}. */
    public static Builder builder(String service) {
        return new Builder(service);
    }

    /** Starts serving; returns at once. */
    public HttpHost start() {
        server.start();
        LOG.info("{} HTTP listening on {}", service, uri());
        return this;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URI, e.g. {@code http://127.0.0.1:8080}. */
    public URI uri() {
        InetSocketAddress address = server.getAddress();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getHostString();
        return URI.create("http://" + host + ":" + address.getPort());
    }

    /** The registry {@code /metrics} exposes. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Whether every readiness check passes. */
    public boolean isReady() {
        return readiness.values().stream().allMatch(HttpHost::safeReady);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
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

    private void dispatch(HttpExchange http, Route route) {
        Exchange exchange = new Exchange(http, json);
        long started = System.nanoTime();
        try {
            if (needsKey(http) && !authorised(exchange)) {
                throw new ApiException(
                        401, "unauthorized", "A valid API key is required (header " + API_KEY_HEADER + ")");
            }
            route.handle(exchange);
            if (!exchange.responded()) {
                throw new IllegalStateException("Route " + http.getHttpContext().getPath() + " sent no response");
            }
        } catch (ApiException e) {
            sendError(exchange, e.status(), e.code(), e.getMessage());
        } catch (Exception e) {
            LOG.error(
                    "{} {} failed",
                    http.getRequestMethod(),
                    http.getRequestURI().getPath(),
                    e);
            sendError(exchange, 500, "internal_error", "The server failed to handle the request; see its log");
        } finally {
            // Observed before closing, so a client that scrapes right after its answer already sees its request.
            String context = http.getHttpContext().getPath();
            if (!OPEN_PATHS.contains(context)) {
                requestSeconds
                        .labelValues(context, http.getRequestMethod(), Integer.toString(http.getResponseCode()))
                        .observe((System.nanoTime() - started) / 1e9);
            }
            http.close();
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

    private boolean needsKey(HttpExchange http) {
        String context = http.getHttpContext().getPath();
        if (OPEN_PATHS.contains(context) || publicPaths.contains(context)) {
            return false;
        }
        // A CORS preflight never carries credentials (Fetch standard), so it cannot be asked for a key; the route
        // answers it with the allowed origins and methods only.
        boolean preflight = http.getRequestMethod().equals("OPTIONS")
                && http.getRequestHeaders().containsKey("Access-Control-Request-Method");
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

        /** The host, bound but not started. */
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
