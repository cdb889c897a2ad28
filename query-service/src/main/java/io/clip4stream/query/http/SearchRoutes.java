package io.clip4stream.query.http;

import io.clip4stream.query.engine.ModelSaturatedException;
import io.clip4stream.query.engine.SearchEngine;
import io.clip4stream.query.engine.SearchEngines;
import io.clip4stream.query.engine.SearchQuery;
import io.clip4stream.query.engine.SearchResult;
import io.clip4stream.query.example.ImageLimits;
import io.clip4stream.query.example.MultipartBody;
import io.clip4stream.query.fanout.ClipExample;
import io.clip4stream.query.fanout.ShardException;
import io.clip4stream.query.metrics.QueryMetrics;
import io.clip4stream.query.search.InvalidSearchException;
import io.clip4stream.query.search.RejectedExampleException;
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

/**
 * {@code GET /search?q=...} and {@code POST /search} (JSON: text, an example, or both), and the searches by example
 * {@code POST /search/image} and {@code GET /search/similar}: every invalid input is a 4xx with a code.
 */
public final class SearchRoutes {
    /** Query parameters {@code GET /search} understands. */
    public static final Set<String> PARAMETERS = Set.of(
            "q",
            "k",
            "candidates",
            "rerank",
            "rerankBudgetMs",
            "sources",
            "tenant",
            "tags",
            "fromMicros",
            "toMicros",
            "modelVersion");

    /** Query parameters {@code POST /search/image} understands (the image is the body). */
    public static final Set<String> IMAGE_PARAMETERS =
            Set.of("k", "candidates", "sources", "tenant", "tags", "fromMicros", "toMicros", "modelVersion");

    /** Query parameters {@code GET /search/similar} understands. */
    public static final Set<String> SIMILAR_PARAMETERS = Set.of(
            "clip",
            "source",
            "start",
            "end",
            "excludeSource",
            "k",
            "candidates",
            "sources",
            "tenant",
            "tags",
            "fromMicros",
            "toMicros",
            "modelVersion");

    // Reads POST /search bodies as the host's Exchange.readJson would (unknown fields refused), after their size is
    // known: only a body carrying an image may exceed the JSON limit.
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final SearchEngines engines;
    private final SearchLimits limits;
    private final long maxBodyBytes;
    private final ImageLimits imageLimits;
    private final QueryMetrics metrics;

    /** Routes searches to {@code engine} under {@code limits}, reading JSON bodies of at most {@code maxBodyBytes}. */
    public SearchRoutes(SearchEngine engine, SearchLimits limits, long maxBodyBytes, QueryMetrics metrics) {
        this(engine, limits, maxBodyBytes, new ImageLimits(10 * 1024 * 1024, 16_777_216L), metrics);
    }

    /** Routes searches as above; example images may be as large as {@code imageLimits} allow. */
    public SearchRoutes(
            SearchEngine engine,
            SearchLimits limits,
            long maxBodyBytes,
            ImageLimits imageLimits,
            QueryMetrics metrics) {
        this(new SearchEngines(engine), limits, maxBodyBytes, imageLimits, metrics);
    }

    /**
     * Routes each search to the engine of the model version it names, or the active one ({@code engines} changes with
     * a model change); otherwise as above.
     */
    public SearchRoutes(
            SearchEngines engines,
            SearchLimits limits,
            long maxBodyBytes,
            ImageLimits imageLimits,
            QueryMetrics metrics) {
        this.engines = Objects.requireNonNull(engines, "engines");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.maxBodyBytes = maxBodyBytes;
        this.imageLimits = Objects.requireNonNull(imageLimits, "imageLimits");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Answers {@code POST /search/image}: the body is the image ({@code image/jpeg}, {@code image/png}, or
     * {@code multipart/form-data} with the image in the {@code image} field or the first file), the query string
     * holds k, candidates, filters and model version as {@code GET /search} does.
     */
    public void image(Exchange exchange) throws IOException {
        if (!exchange.path().equals("/search/image")) {
            throw ApiException.notFound("No route " + exchange.path());
        }
        if (!exchange.method().equals("POST")) {
            throw new ApiException(405, "method_not_allowed", "POST the image to /search/image");
        }
        // The body is read first, so a refused query string never leaves it unread on a kept-alive connection; the
        // multipart envelope adds a few hundred bytes around the image.
        byte[] body = exchange.body(imageLimits.maxBytes() + 16L * 1024);
        SearchRequest request = checked(() -> fromQuery(exchange.query(), IMAGE_PARAMETERS, false));
        byte[] image = imageOf(body, exchange.header("Content-Type").orElse(null));
        run(exchange, request, new SearchQuery(null, image, null, 0, false));
    }

    /**
     * Answers {@code GET /search/similar?clip=ID} or {@code ?source=ID[&start=S][&end=S]} (seconds of source time):
     * the stored clips' own vector is the query, and they are left out of the hits ({@code excludeSource=true} leaves
     * out their whole source).
     */
    public void similar(Exchange exchange) throws IOException {
        if (!exchange.path().equals("/search/similar")) {
            throw ApiException.notFound("No route " + exchange.path());
        }
        if (!exchange.method().equals("GET")) {
            throw new ApiException(405, "method_not_allowed", "Use GET on /search/similar");
        }
        Map<String, String> query = exchange.query();
        SearchRequest request = checked(() -> fromQuery(query, SIMILAR_PARAMETERS, false));
        ClipExample example = checked(() -> clipExample(query));
        boolean excludeSource = Boolean.TRUE.equals(checked(() -> boolParam(query, "excludeSource")));
        run(exchange, request, new SearchQuery(null, null, example, 0, excludeSource));
    }

    private static ClipExample clipExample(Map<String, String> query) {
        String clip = blankToNull(query.get("clip"));
        String source = blankToNull(query.get("source"));
        if ((clip == null) == (source == null)) {
            throw new InvalidSearchException(
                    "missing_example", "give clip=<clip id>, or source=<source id> with optional start and end");
        }
        if (clip != null) {
            if (query.containsKey("start") || query.containsKey("end")) {
                throw new InvalidSearchException("invalid_example", "start and end go with source, not with clip");
            }
            return ClipExample.clip(clip);
        }
        Long start = secondsParam(query, "start");
        Long end = secondsParam(query, "end");
        if (start != null && end != null && start >= end) {
            throw new InvalidSearchException("invalid_example", "start must be before end");
        }
        return ClipExample.range(source, start, end);
    }

    private static Long secondsParam(Map<String, String> query, String name) {
        String value = blankToNull(query.get(name));
        if (value == null) {
            return null;
        }
        try {
            double seconds = Double.parseDouble(value);
            if (!Double.isFinite(seconds) || seconds < 0 || seconds > 1e12) {
                throw new NumberFormatException("out of range");
            }
            return Math.round(seconds * 1_000_000);
        } catch (NumberFormatException e) {
            throw new InvalidSearchException(
                    "invalid_example", name + " must be a number of seconds >= 0; was '" + value + "'");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The image bytes of a raw or multipart body; other content types are a 415. */
    private byte[] imageOf(byte[] body, String contentType) {
        if (body.length == 0) {
            throw new ApiException(400, "empty_body", "the body is empty: send a JPEG or PNG image");
        }
        java.util.Optional<String> boundary = MultipartBody.boundary(contentType);
        if (boundary.isPresent()) {
            try {
                return MultipartBody.parse(body, boundary.get())
                        .fileOrField("image")
                        .map(MultipartBody.Part::content)
                        .orElseThrow(() -> new ApiException(
                                400, "missing_image", "the multipart body has no 'image' field and no file"));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "malformed_multipart", e.getMessage());
            }
        }
        String type =
                contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(java.util.Locale.ROOT);
        if (!type.isEmpty() && !type.startsWith("image/") && !type.equals("application/octet-stream")) {
            throw new ApiException(
                    415,
                    "unsupported_media_type",
                    "send the image as image/jpeg, image/png or multipart/form-data; was " + contentType);
        }
        return body;
    }

    private void run(Exchange exchange, SearchRequest request, SearchQuery query) throws IOException {
        SearchResult result;
        try {
            result = engines.forVersion(request.modelVersion()).search(request, query);
        } catch (InvalidSearchException e) {
            metrics.rejected("invalid");
            throw ApiException.badRequest(e.code(), e.getMessage());
        } catch (RejectedExampleException e) {
            metrics.rejected("invalid");
            throw new ApiException(e.status(), e.code(), e.getMessage());
        } catch (ShardException e) {
            throw new ApiException(503, "index_unavailable", e.getMessage());
        } catch (ModelSaturatedException e) {
            metrics.rejected("model_saturated");
            exchange.responseHeader("Retry-After", Integer.toString(ModelSaturatedException.RETRY_AFTER_SECONDS));
            throw new ApiException(503, "model_saturated", e.getMessage());
        }
        exchange.respondJson(200, result);
    }

    private <T> T checked(java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidSearchException e) {
            metrics.rejected("invalid");
            throw ApiException.badRequest(e.code(), e.getMessage());
        }
    }

    /** Answers one request to {@code /search}. */
    public void handle(Exchange exchange) throws IOException {
        if (!exchange.path().equals("/search")) {
            throw ApiException.notFound("No route " + exchange.path());
        }
        switch (exchange.method()) {
            case "GET" -> {
                SearchRequest request = checked(() -> fromQuery(exchange.query(), PARAMETERS, true));
                run(exchange, request, SearchQuery.text(request.text()));
            }
            case "POST" -> {
                // A JSON body may carry a base64 image (4 bytes per 3) next to the text and filters; without one, the
                // JSON limit holds as before.
                byte[] raw = exchange.body(imageLimits.maxBytes() / 3L * 4 + 8 + maxBodyBytes);
                SearchJson.Request body = parseJson(raw);
                if (raw.length > maxBodyBytes && body.image() == null) {
                    throw new ApiException(
                            413,
                            "payload_too_large",
                            "Request body exceeds the limit of " + maxBodyBytes + " bytes (more only with an image)");
                }
                SearchRequest request = checked(() -> fromJson(body));
                run(exchange, request, checked(() -> queryOf(body, request)));
            }
            default -> throw new ApiException(405, "method_not_allowed", "Use GET or POST on /search");
        }
    }

    private static SearchJson.Request parseJson(byte[] raw) {
        if (raw.length == 0) {
            throw ApiException.badRequest("empty_body", "A JSON body is required");
        }
        try {
            return JSON.readValue(raw, SearchJson.Request.class);
        } catch (IOException e) {
            String detail = e instanceof com.fasterxml.jackson.core.JacksonException j ? j.getOriginalMessage() : "";
            throw ApiException.badRequest("malformed_json", "Malformed JSON body: " + detail);
        }
    }

    /** The query of a JSON body: its text, an example (base64 image or clip id), and their weight. */
    private static SearchQuery queryOf(SearchJson.Request body, SearchRequest request) {
        boolean hasImage = body.image() != null;
        boolean hasClip = body.clip() != null;
        if (hasImage && hasClip) {
            throw new InvalidSearchException("invalid_example", "give image or clip, not both");
        }
        if (body.weight() != null && !(body.weight() >= 0 && body.weight() <= 1)) {
            throw new InvalidSearchException("invalid_weight", "weight must be in [0, 1]; was " + body.weight());
        }
        if (!hasImage && !hasClip) {
            if (body.weight() != null || body.excludeSource() != null) {
                throw new InvalidSearchException(
                        "invalid_example", "weight and excludeSource need an example (image or clip)");
            }
            return SearchQuery.text(request.text());
        }
        byte[] image = null;
        if (hasImage) {
            String encoded = body.image().strip();
            int comma = encoded.startsWith("data:") ? encoded.indexOf(',') : -1;
            try {
                image = java.util.Base64.getMimeDecoder().decode(encoded.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                throw new InvalidSearchException(
                        "not_an_image", "image must be base64 (or a data: URL): " + e.getMessage());
            }
        }
        ClipExample clip = null;
        if (hasClip) {
            if (body.clip().isBlank()) {
                throw new InvalidSearchException("invalid_example", "clip is blank");
            }
            clip = ClipExample.clip(body.clip().strip());
        }
        String text = request.text().isEmpty() ? null : request.text();
        double weight = text == null ? 0 : body.weight() == null ? SearchQuery.DEFAULT_WEIGHT : body.weight();
        return new SearchQuery(text, image, clip, weight, Boolean.TRUE.equals(body.excludeSource()));
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
        boolean example = body.image() != null || body.clip() != null;
        if (example && (body.text() == null || body.text().isBlank())) {
            return limits.checkExample(body.k(), body.candidates(), filters, body.modelVersion());
        }
        return limits.check(
                body.text(),
                body.k(),
                body.candidates(),
                filters,
                body.rerank(),
                body.modelVersion(),
                body.rerankBudgetMs());
    }

    private SearchRequest fromQuery(Map<String, String> query, Set<String> known, boolean text) {
        for (String name : query.keySet()) {
            if (!known.contains(name)) {
                throw new InvalidSearchException(
                        "unknown_parameter", "unknown query parameter '" + name + "'; known: " + known);
            }
        }
        Long from = longParam(query, "fromMicros");
        Long to = longParam(query, "toMicros");
        SearchFilters filters = new SearchFilters(
                listParam(query, "sources"),
                query.containsKey("tenant") ? query.get("tenant") : null,
                from == null && to == null ? null : new TimeRange(from, to),
                listParam(query, "tags"));
        if (!text) {
            return limits.checkExample(
                    intParam(query, "k"), intParam(query, "candidates"), filters, query.get("modelVersion"));
        }
        return limits.check(
                query.get("q"),
                intParam(query, "k"),
                intParam(query, "candidates"),
                filters,
                boolParam(query, "rerank"),
                query.get("modelVersion"),
                intParam(query, "rerankBudgetMs"));
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
