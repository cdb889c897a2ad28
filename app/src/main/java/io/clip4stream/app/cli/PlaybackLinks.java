package io.clip4stream.app.cli;

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
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Links that play a hit's source at the hit's time, for {@code search}'s table: the query service's media route with a
 * media fragment ({@code #t=start,end}). A link is printed only when the source's video is really stored (one
 * one-byte range request per source tells), so that every printed link plays; thumbnails are not linked because they
 * belong to a model version's stored vector and vanish with it.
 */
final class PlaybackLinks {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient http;
    private final String base;
    private final String apiKey;
    private final Map<String, Optional<String>> bySource = new HashMap<>();

    /** Links from the query service at {@code base}, asked with {@code apiKey} (blank: none). */
    PlaybackLinks(HttpClient http, String base, String apiKey) {
        this.http = http;
        this.base = base;
        this.apiKey = apiKey;
    }

    /** The link playing {@code sourceId} from {@code startMicros} to {@code endMicros}, if its video is stored. */
    Optional<String> at(String sourceId, long startMicros, long endMicros) throws InterruptedException {
        Optional<String> video = bySource.get(sourceId);
        if (video == null) {
            video = videoOf(sourceId);
            bySource.put(sourceId, video);
        }
        return video.map(url -> url + String.format(Locale.ROOT, "#t=%s,%s", seconds(startMicros), seconds(endMicros)));
    }

    /** The stored video's absolute URL (signed when keys are on), or empty when it has none or cannot be asked. */
    private Optional<String> videoOf(String sourceId) throws InterruptedException {
        try {
            HttpResponse<String> link = http.send(
                    withKey(HttpRequest.newBuilder(
                            URI.create(base + "/media-links/" + URLEncoder.encode(sourceId, StandardCharsets.UTF_8)))),
                    HttpResponse.BodyHandlers.ofString());
            if (link.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode url = new ObjectMapper().readTree(link.body()).path("url");
            if (!url.isTextual()) {
                return Optional.empty();
            }
            String absolute = base + url.asText();
            // Live streams and URL sources keep no video: the media route answers 404 for them.
            HttpResponse<Void> probe = http.send(
                    HttpRequest.newBuilder(URI.create(absolute))
                            .timeout(TIMEOUT)
                            .header("Range", "bytes=0-0")
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return probe.statusCode() == 200 || probe.statusCode() == 206 ? Optional.of(absolute) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            // No link is better than a link that does not play; the table still names the source and time.
            return Optional.empty();
        }
    }

    private HttpRequest withKey(HttpRequest.Builder request) {
        request.timeout(TIMEOUT);
        if (!apiKey.isBlank()) {
            request.header("X-Api-Key", apiKey);
        }
        return request.build();
    }

    private static String seconds(long micros) {
        return String.format(Locale.ROOT, "%.1f", micros / 1e6);
    }
}
