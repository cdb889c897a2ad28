package io.clip4stream.query.http;

import io.clip4stream.query.engine.ModelSaturatedException;
import io.clip4stream.query.engine.SearchEngine;
import io.clip4stream.query.engine.SearchResult;
import io.clip4stream.query.fanout.ShardException;
import io.clip4stream.query.metrics.QueryMetrics;
import io.clip4stream.query.search.InvalidSearchException;
import io.clip4stream.query.search.SearchFilters;
import io.clip4stream.query.search.SearchLimits;
import io.clip4stream.query.search.SearchRequest;
import io.clip4stream.query.search.TimeRange;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** {@code GET /search?q=...} and {@code POST /search} (JSON): every invalid input is a 400 with a code. */
public final class SearchRoutes {
    /** Query parameters {@code GET /search} understands. */
    public static final Set<String> PARAMETERS = Set.of(
            "q", "k", "candidates", "rerank", "sources", "tenant", "tags", "fromMicros", "toMicros", "modelVersion");

    private final SearchEngine engine;
    private final SearchLimits limits;
    private final long maxBodyBytes;
    private final QueryMetrics metrics;

    /** Routes searches to {@code engine} under {@code limits}, reading JSON bodies of at most {@code maxBodyBytes}. */
    public SearchRoutes(SearchEngine engine, SearchLimits limits, long maxBodyBytes, QueryMetrics metrics) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Answers one request to {@code /search}. */
    public void handle(Exchange exchange) throws IOException {
        if (!exchange.path().equals("/search")) {
            throw ApiException.notFound("No route " + exchange.path());
        }
        SearchRequest request;
        try {
            request = switch (exchange.method()) {
                case "GET" -> fromQuery(exchange.query());
                case "POST" -> fromJson(exchange.readJson(SearchJson.Request.class, maxBodyBytes));
                default -> throw new ApiException(405, "method_not_allowed", "Use GET or POST on /search");
            };
        } catch (InvalidSearchException e) {
            metrics.rejected("invalid");
            throw ApiException.badRequest(e.code(), e.getMessage());
        }
        SearchResult result;
        try {
            result = engine.search(request);
        } catch (InvalidSearchException e) {
            metrics.rejected("invalid");
            throw ApiException.badRequest(e.code(), e.getMessage());
        } catch (ShardException e) {
            throw new ApiException(503, "index_unavailable", e.getMessage());
        } catch (ModelSaturatedException e) {
            metrics.rejected("model_saturated");
            exchange.responseHeader("Retry-After", Integer.toString(ModelSaturatedException.RETRY_AFTER_SECONDS));
            throw new ApiException(503, "model_saturated", e.getMessage());
        }
        exchange.respondJson(200, result);
    }

    private SearchRequest fromJson(SearchJson.Request body) {
        SearchFilters filters = null;
        if (body.filters() != null) {
            SearchJson.Filters f = body.filters();
            TimeRange range = f.timeRange() == null
                    ? null
                    : new TimeRange(f.timeRange().fromMicros(), f.timeRange().toMicros());
            filters = new SearchFilters(f.sources(), f.tenant(), range, f.tags());
        }
        return limits.check(body.text(), body.k(), body.candidates(), filters, body.rerank(), body.modelVersion());
    }

    private SearchRequest fromQuery(Map<String, String> query) {
        for (String name : query.keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw new InvalidSearchException(
                        "unknown_parameter", "unknown query parameter '" + name + "'; known: " + PARAMETERS);
            }
        }
        Long from = longParam(query, "fromMicros");
        Long to = longParam(query, "toMicros");
        SearchFilters filters = new SearchFilters(
                listParam(query, "sources"),
                query.containsKey("tenant") ? query.get("tenant") : null,
                from == null && to == null ? null : new TimeRange(from, to),
                listParam(query, "tags"));
        return limits.check(
                query.get("q"),
                intParam(query, "k"),
                intParam(query, "candidates"),
                filters,
                boolParam(query, "rerank"),
                query.get("modelVersion"));
    }

    private static List<String> listParam(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null) {
            return List.of();
        }
        return Arrays.stream(value.split(",", -1)).map(String::strip).toList();
    }

    private static Integer intParam(Map<String, String> query, String name) {
        Long value = longParam(query, name);
        if (value == null) {
            return null;
        }
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new InvalidSearchException("invalid_" + name, name + " is out of range: " + value);
        }
        return value.intValue();
    }

    private static Long longParam(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null) {
            return null;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            String code = name.endsWith("Micros") ? "invalid_filters" : "invalid_" + name;
            throw new InvalidSearchException(code, name + " must be an integer; was '" + value + "'");
        }
    }

    private static Boolean boolParam(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null) {
            return null;
        }
        return switch (value.strip()) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default ->
                throw new InvalidSearchException(
                        "invalid_" + name, name + " must be true or false; was '" + value + "'");
        };
    }
}
