package io.clip4stream.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A client of a query service's search API, as the end-to-end tests use it. */
final class SearchApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SearchApi() {}

    /** Searches {@code queryService}; fails unless it answers 200. */
    static JsonNode search(URI queryService, String query, int k, boolean rerank) throws IOException {
        HttpResponse<String> response = get(queryService, query, k, Math.max(k, 50), rerank);
        if (response.statusCode() != 200) {
            throw new AssertionError("Search '" + query + "' at " + queryService + ": HTTP " + response.statusCode()
                    + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** Searches without re-ranking; null when the service does not answer 200 (yet). */
    static JsonNode searchQuietly(URI queryService, String query, int k) {
        try {
            HttpResponse<String> response = get(queryService, query, k, Math.max(k, 50), false);
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The clip ids of an answer's hits, in rank order. */
    static List<String> clipIds(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.get("hits").forEach(hit -> ids.add(hit.get("clipId").asText()));
        return ids;
    }

    private static HttpResponse<String> get(URI queryService, String query, int k, int candidates, boolean rerank)
            throws IOException {
        URI uri = queryService.resolve("/search?k=" + k + "&candidates=" + candidates + "&rerank=" + rerank + "&q="
                + URLEncoder.encode(query, StandardCharsets.UTF_8));
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while searching " + uri, e);
        }
    }
}
