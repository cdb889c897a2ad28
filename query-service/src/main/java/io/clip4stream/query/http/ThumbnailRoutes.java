package io.clip4stream.query.http;

import io.clip4stream.query.engine.SearchEngine;
import io.clip4stream.query.engine.ThumbnailCache;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.IOException;
import java.util.Objects;

/**
 * {@code GET /thumbnails/{clipId}}: the JPEG thumbnail of a clip returned by a recent search (the index sends it with
 * the candidate, the search keeps it in a bounded cache).
 */
public final class ThumbnailRoutes {
    private final ThumbnailCache cache;

    /** Serves thumbnails from {@code cache}. */
    public ThumbnailRoutes(ThumbnailCache cache) {
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    /** Answers one thumbnail request. */
    public void handle(Exchange exchange) throws IOException {
        String rawPath = exchange.path();
        if (!exchange.method().equals("GET")) {
            throw new ApiException(405, "method_not_allowed", "Use GET on " + rawPath);
        }
        // The path arrives decoded already; decoding again would turn a '+' in a clip id into a space.
        String clipId = rawPath.substring(Math.min(rawPath.length(), SearchEngine.THUMBNAIL_PATH.length()));
        byte[] jpeg = cache.get(clipId)
                .orElseThrow(() -> ApiException.notFound(
                        "No thumbnail for clip '" + clipId + "'; thumbnails are kept for clips of recent searches"));
        exchange.responseHeader("Cache-Control", "private, max-age=3600");
        exchange.respond(200, "image/jpeg", jpeg);
    }
}
