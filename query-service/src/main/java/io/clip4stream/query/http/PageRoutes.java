package io.clip4stream.query.http;

import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Serves the web page and the OpenAPI document from the classpath; everything is read once at start-up, so a
 * missing resource fails the service at start, not a visitor's request.
 */
public final class PageRoutes {
    private static final String BASE = "/io/clip4stream/query/web/";

    /** The path of the model description: which model answers, and which heads rank and re-rank. */
    public static final String MODEL = "/model";

    private record Asset(String contentType, byte[] bytes) {}

    private final Map<String, Asset> assets = new HashMap<>();
    private final String mediaUrlTemplate;
    private final java.util.function.Supplier<java.util.Map<String, Object>> model;

    /**
     * Loads the page's assets; {@code mediaUrlTemplate} (with {@code {sourceId}}; blank when there is none) tells the
     * page where a source's video can be played, and {@code model} (see {@link #modelDescription}) which model answers
     * and what to try, both served to it as {@code /config.json}.
     */
    public PageRoutes(String mediaUrlTemplate, java.util.Map<String, Object> model) {
        this(mediaUrlTemplate, () -> model);
    }

    /**
     * Loads the page's assets as above; {@code model} is asked at each request for {@code /config.json} and
     * {@link #MODEL}, so the page names the active model after a model change.
     */
    public PageRoutes(String mediaUrlTemplate, java.util.function.Supplier<java.util.Map<String, Object>> model) {
        this.mediaUrlTemplate = java.util.Objects.requireNonNull(mediaUrlTemplate, "mediaUrlTemplate");
        this.model = java.util.Objects.requireNonNull(model, "model");
        assets.put("/", load("index.html", "text/html; charset=utf-8"));
        assets.put("/index.html", assets.get("/"));
        assets.put("/app.js", load("app.js", "text/javascript; charset=utf-8"));
        assets.put("/app.css", load("app.css", "text/css; charset=utf-8"));
        assets.put("/openapi.json", load("openapi.json", "application/json"));
        // Browsers ask for /favicon.ico whatever the page links; an SVG answers both.
        assets.put("/favicon.ico", load("favicon.svg", "image/svg+xml"));
        // Written once now, so that a description that cannot be written fails the start, not a visitor's request.
        dynamic("/config.json");
        dynamic(MODEL);
    }

    /** The JSON of a path whose body follows the active model; null for any other path. */
    private Asset dynamic(String path) {
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            if (path.equals(MODEL)) {
                return new Asset("application/json", json.writeValueAsBytes(model.get()));
            }
            if (path.equals("/config.json")) {
                java.util.Map<String, Object> page = new java.util.LinkedHashMap<>();
                page.put("mediaUrlTemplate", mediaUrlTemplate);
                page.put("model", model.get());
                return new Asset("application/json", json.writeValueAsBytes(page));
            }
            return null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the model description", e);
        }
    }

    /** Loads the page's assets for a model that says nothing about itself. */
    public PageRoutes(String mediaUrlTemplate) {
        this(mediaUrlTemplate, java.util.Map.of());
    }

    /**
     * Returns what the page and {@code GET /model} show about the loaded model: id, version, the heads in use (the
     * first-stage head, and the re-ranking head or why there is none), the heads that were trained, what it knows,
     * example queries.
     */
    public static java.util.Map<String, Object> modelDescription(
            io.clip4stream.model.ModelInfo info, io.clip4stream.model.weights.ModelCard card) {
        java.util.Map<String, Object> model = new java.util.LinkedHashMap<>();
        model.put("id", info.modelId());
        model.put("version", info.modelVersion());
        model.put("head", info.head().configName());
        model.put("tightHead", info.tightHead());
        boolean reranks = info.tightHead() && info.tightHeadTrained();
        model.put("rerankHead", reranks ? "tightTransf" : null);
        model.put(
                "rerankNote",
                reranks
                        ? null
                        : !info.tightHead()
                                ? "model " + info.modelId() + " has no tightTransf weights: results are first-stage"
                                        + " only"
                                : "model " + info.modelId() + " has tightTransf weights that were never trained"
                                        + " (config.json trained_heads), so they are not used");
        model.put("knows", card.knows().orElse(null));
        model.put("trainedHeads", card.trainedHeads());
        model.put("exampleQueries", card.exampleQueries());
        return model;
    }

    /** Answers one request for a page asset; anything else under {@code /} is a 404. */
    public void handle(Exchange exchange) throws IOException {
        Asset asset = assets.get(exchange.path());
        if (asset == null) {
            asset = dynamic(exchange.path());
        }
        if (asset == null) {
            throw ApiException.notFound("No route " + exchange.path());
        }
        if (!exchange.method().equals("GET") && !exchange.method().equals("HEAD")) {
            throw new ApiException(405, "method_not_allowed", "Use GET on " + exchange.path());
        }
        exchange.responseHeader("Cache-Control", "no-cache");
        exchange.responseHeader(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self'");
        exchange.respond(200, asset.contentType(), asset.bytes());
    }

    private static Asset load(String name, String contentType) {
        try (InputStream in = PageRoutes.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                throw new IllegalStateException("web asset " + BASE + name + " is missing from the classpath");
            }
            return new Asset(contentType, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read web asset " + BASE + name, e);
        }
    }
}
