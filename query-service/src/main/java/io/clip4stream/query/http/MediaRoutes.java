package io.clip4stream.query.http;

import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Playback of stored videos through the query service: {@code GET /media/{sourceId}} forwards (with byte ranges, so
 * the browser can seek) to the ingest-service's {@code /sources/{id}/media}; with API keys on, it asks for a signed
 * link from {@code GET /media-links/{sourceId}} instead of a key, since a video element cannot send headers.
 */
public final class MediaRoutes {
    /** Prefix of the video route (public: it checks the link's signature itself when keys are on). */
    public static final String MEDIA = "/media/";

    /** Prefix of the link route (behind the API key). */
    public static final String LINKS = "/media-links/";

    private static final Pattern SOURCE_ID = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._-]{1,128}");

    private final IngestProxyRoutes ingest;
    private final Optional<MediaLinks> links;

    /** Routes forwarding to {@code ingest}; {@code links} present when API keys are on and links must be signed. */
    public MediaRoutes(IngestProxyRoutes ingest, Optional<MediaLinks> links) {
        this.ingest = ingest;
        this.links = links;
    }

    /** {@code GET /media/{sourceId}[?expires=&sig=]}: the video's bytes (206 for a range). */
    public void media(Exchange exchange) throws IOException {
        String id = sourceId(exchange, MEDIA);
        if (!exchange.method().equals("GET")) {
            throw new ApiException(405, "method_not_allowed", "Use GET on " + exchange.path());
        }
        if (links.isPresent()) {
            Map<String, String> query = exchange.query();
            if (!links.get().verify(id, query.get("expires"), query.get("sig"))) {
                throw new ApiException(
                        401,
                        "invalid_media_link",
                        "This video needs a signed link from GET " + LINKS + id + " (the link may have expired)");
            }
        }
        ingest.forward(exchange, "GET", IngestProxyRoutes.SOURCES + "/" + id + "/media", null);
    }

    /** {@code GET /media-links/{sourceId}}: a link to the video that works without a key header. */
    public void link(Exchange exchange) throws IOException {
        String id = sourceId(exchange, LINKS);
        if (!exchange.method().equals("GET")) {
            throw new ApiException(405, "method_not_allowed", "Use GET on " + exchange.path());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (links.isPresent()) {
            MediaLinks.Signed signed = links.get().sign(id);
            body.put("url", MEDIA + id + "?" + signed.query());
            body.put("expiresAtMillis", signed.expiresAtMillis());
        } else {
            body.put("url", MEDIA + id);
            body.put("expiresAtMillis", null);
        }
        exchange.respondJson(200, body);
    }

    private static String sourceId(Exchange exchange, String prefix) {
        String id = exchange.path().substring(prefix.length());
        if (!SOURCE_ID.matcher(id).matches()) {
            throw ApiException.badRequest(
                    "bad_source_id", "Source ids are 1-128 of [A-Za-z0-9._-], not . or ..; was '" + id + "'");
        }
        return id;
    }
}
