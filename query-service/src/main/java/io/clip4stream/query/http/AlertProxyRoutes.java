package io.clip4stream.query.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /standing-queries} and {@code /alerts}: forwarded to the alert service, so the page and the command line
 * keep one origin and one key. Bodies both ways are small JSON documents, held whole under a limit. The best clip of
 * every alert passed on is shown as a search hit is: its thumbnail is then served ({@code /thumbnails/{clipId}}).
 */
public final class AlertProxyRoutes {
    /** Standing queries, forwarded with everything below. */
    public static final String STANDING_QUERIES = "/standing-queries";

    /** Recent alerts. */
    public static final String ALERTS = "/alerts";

    /** Alerts as they happen (Server-Sent Events), relayed event by event. */
    public static final String ALERTS_STREAM = "/alerts/stream";

    private static final int MAX_BYTES = 4 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(AlertProxyRoutes.class);

    private final URI alertBase;
    private final HttpClient http;
    private final Duration timeout;
    private final Consumer<String> shownClips;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * Forwards to the alert service at {@code alertBase}, telling {@code shownClips} the best clip id of every alert
     * passed on (the page shows its thumbnail, as it does a search hit's).
     */
    public AlertProxyRoutes(URI alertBase, HttpClient http, Duration timeout, Consumer<String> shownClips) {
        this.alertBase = Objects.requireNonNull(alertBase, "alertBase");
        this.http = Objects.requireNonNull(http, "http");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.shownClips = Objects.requireNonNull(shownClips, "shownClips");
    }

    /** Forwards one request. */
    public void handle(Exchange exchange) throws IOException {
        String path = exchange.path();
        String method = exchange.method();
        boolean standing = path.equals(STANDING_QUERIES) || path.startsWith(STANDING_QUERIES + "/");
        if (path.equals(ALERTS_STREAM) && method.equals("GET")) {
            stream(exchange);
            return;
        }
        if (!(standing || path.equals(ALERTS)) || path.contains("..")) {
            throw ApiException.notFound("No route " + path);
        }
        if (!List.of("GET", "POST", "DELETE").contains(method)) {
            throw new ApiException(405, "method_not_allowed", "Use GET, POST or DELETE on " + path);
        }
        HttpRequest.Builder request =
                HttpRequest.newBuilder(target(path, exchange.query())).timeout(timeout);
        if (method.equals("POST")) {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(exchange.body(MAX_BYTES)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ApiException(
                    502,
                    "alert_unreachable",
                    "The alert service at " + alertBase + " cannot be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", "The request was interrupted");
        }
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) {
            throw new ApiException(502, "alert_response_too_large", "The alert service answered too much");
        }
        if (path.equals(ALERTS) && method.equals("GET") && response.statusCode() == 200) {
            showBestClips(bytes);
        }
        exchange.respond(
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse("application/json"),
                bytes);
    }

    /** Tells {@link #shownClips} the best clips of a {@code GET /alerts} answer ({@code {"alerts": [...]}}). */
    private void showBestClips(byte[] alertList) {
        JsonNode alerts;
        try {
            alerts = json.readTree(alertList).path("alerts");
        } catch (IOException e) {
            // Passed on as it came; the page cannot read it either, so there is no thumbnail to serve.
            LOG.debug("The alert service's alert list is not JSON; its best clips' thumbnails are not served", e);
            return;
        }
        alerts.forEach(this::showBestClip);
    }

    private void showBestClip(JsonNode alert) {
        JsonNode best = alert.path("bestClipId");
        if (best.isTextual() && !best.asText().isEmpty()) {
            shownClips.accept(best.asText());
        }
    }

    /**
     * Relays the alert service's event stream: each upstream event is parsed and sent on at once, so the page sees an
     * alert as soon as the alert service sends it; the relay ends when either side goes.
     */
    private void stream(Exchange exchange) throws IOException {
        HttpResponse<java.util.stream.Stream<String>> response;
        try {
            // The timeout bounds the wait for the stream to open, not its (unbounded) length.
            response = http.send(
                    HttpRequest.newBuilder(target(ALERTS_STREAM, Map.of()))
                            .timeout(timeout)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw new ApiException(
                    502,
                    "alert_unreachable",
                    "The alert service at " + alertBase + " cannot be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", "The request was interrupted");
        }
        if (response.statusCode() != 200) {
            response.body().close();
            throw new ApiException(
                    502,
                    "alert_stream_unavailable",
                    "The alert service answered " + response.statusCode() + " for its event stream");
        }
        try (java.util.stream.Stream<String> lines = response.body();
                io.clip4stream.runtime.http.EventStream events = exchange.respondEvents()) {
            java.util.Iterator<String> upstream = lines.iterator();
            String id = null;
            String name = null;
            StringBuilder data = null;
            while (upstream.hasNext()) {
                String line = upstream.next();
                if (line.isEmpty()) {
                    if (data != null) {
                        if ("alert".equals(name)) {
                            showStreamedBestClip(data.toString());
                        }
                        events.event(id, name, data.toString());
                    }
                    id = null;
                    name = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    events.comment(line.substring(1).strip());
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    String value = line.substring(5);
                    value = value.startsWith(" ") ? value.substring(1) : value;
                    data = data == null
                            ? new StringBuilder(value)
                            : data.append('\n').append(value);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // One side went away: the relay ends.
        }
    }

    /** Tells {@link #shownClips} the best clip of one streamed {@code alert} event (an alert as JSON). */
    private void showStreamedBestClip(String alert) {
        try {
            showBestClip(json.readTree(alert));
        } catch (IOException e) {
            LOG.debug("A streamed alert is not JSON; its best clip's thumbnail is not served", e);
        }
    }

    private URI target(String path, Map<String, String> query) {
        StringBuilder uri = new StringBuilder(alertBase.toString().replaceAll("/+$", "")).append(path);
        char separator = '?';
        for (Map.Entry<String, String> entry : query.entrySet()) {
            uri.append(separator)
                    .append(URLEncoder.encode(entry.getKey(), StandardCharsets.UTF_8))
                    .append('=')
                    .append(URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8));
            separator = '&';
        }
        return URI.create(uri.toString());
    }
}
