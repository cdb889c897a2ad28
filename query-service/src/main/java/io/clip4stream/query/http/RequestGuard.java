package io.clip4stream.query.http;

import io.clip4stream.query.metrics.QueryMetrics;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Route;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Stands in front of every API route: answers CORS preflights and adds CORS headers for allowed origins, and applies
 * the per-client rate limit (429 with {@code Retry-After}). API keys are checked earlier, by the HTTP host.
 */
public final class RequestGuard {
    private static final String ALLOWED_METHODS = "GET, POST, PUT, DELETE, OPTIONS";
    private static final String ALLOWED_HEADERS = "Content-Type, X-Api-Key, Authorization, Range";

    private final List<String> allowedOrigins;
    private final TokenBucketLimiter limiter;
    private final QueryMetrics metrics;

    /**
     * A guard allowing cross-origin calls from {@code allowedOrigins} ({@code *} for any; empty for none) and limiting
     * each client address with {@code limiter}.
     */
    public RequestGuard(List<String> allowedOrigins, TokenBucketLimiter limiter, QueryMetrics metrics) {
        this.allowedOrigins = List.copyOf(allowedOrigins);
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Returns {@code route} behind this guard. */
    public Route wrap(Route route) {
        return exchange -> {
            Optional<String> origin = exchange.header("Origin");
            boolean allowed = origin.filter(this::allowedOrigin).isPresent();
            if (allowed) {
                exchange.responseHeader("Access-Control-Allow-Origin", origin.get());
                exchange.responseHeader("Vary", "Origin");
                exchange.responseHeader("Access-Control-Expose-Headers", "Retry-After, Content-Range");
            }
            if (exchange.method().equals("OPTIONS")
                    && exchange.header("Access-Control-Request-Method").isPresent()) {
                if (!allowed) {
                    throw new ApiException(
                            403,
                            "cors_forbidden",
                            "Origin " + origin.orElse("(none)")
                                    + " may not call this API; allowed origins are set by CLIP4S_QUERY_CORS_ORIGINS");
                }
                exchange.responseHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
                exchange.responseHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
                exchange.responseHeader("Access-Control-Max-Age", "600");
                exchange.respond(204, "text/plain", new byte[0]);
                return;
            }
            String client = exchange.remoteAddress().getHostAddress();
            if (!limiter.tryAcquire(client)) {
                metrics.rejected("rate_limited");
                exchange.responseHeader("Retry-After", Long.toString(limiter.secondsUntilToken(client)));
                throw new ApiException(429, "rate_limited", "Too many requests from " + client + "; slow down");
            }
            route.handle(exchange);
        };
    }

    private boolean allowedOrigin(String origin) {
        return allowedOrigins.contains("*") || allowedOrigins.contains(origin);
    }
}
