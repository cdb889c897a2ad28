package io.clip4stream.query.http;

import io.clip4stream.query.engine.SearchEngine;
import io.clip4stream.query.engine.ThumbnailCache;
import io.clip4stream.query.fanout.ShardException;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code GET /thumbnails/{clipId}}: the JPEG thumbnail of a clip returned by a recent search. Searches do not carry
 * thumbnails; the first request for a hit's fetches it from the index by clip id and the bounded cache keeps it.
 */
public final class ThumbnailRoutes {
    private final ThumbnailCache cache;
    private final ThumbnailSource source;

    /** Where a thumbnail not held yet comes from: the index, asked by clip id. */
    @FunctionalInterface
    public interface ThumbnailSource {
        /**
         * The thumbnail of {@code clipId}; empty when no stored clip of that id has one.
         *
         * @throws io.clip4stream.query.fanout.ShardException when the index cannot answer
         */
        Optional<byte[]> thumbnail(String clipId);
    }

    /** Serves the thumbnails of the clips {@code cache} allows, fetching those it does not hold from {@code source}. */
    public ThumbnailRoutes(ThumbnailCache cache, ThumbnailSource source) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.source = Objects.requireNonNull(source, "source");
    }

    /** Answers one thumbnail request. */
    public void handle(Exchange exchange) throws IOException {
        String rawPath = exchange.path();
        if (!exchange.method().equals("GET")) {
            throw new ApiException(405, "method_not_allowed", "Use GET on " + rawPath);
        }
        // The path arrives decoded already; decoding again would turn a '+' in a clip id into a space.
        String clipId = rawPath.substring(Math.min(rawPath.length(), SearchEngine.THUMBNAIL_PATH.length()));
        if (!cache.allowed(clipId)) {
            throw ApiException.notFound(
                    "No thumbnail for clip '" + clipId + "'; thumbnails are served for clips of recent searches");
        }
        Optional<byte[]> held = cache.get(clipId);
        byte[] jpeg;
        if (held.isPresent()) {
            jpeg = held.get();
        } else {
            try {
                jpeg = source.thumbnail(clipId)
                        .orElseThrow(() -> ApiException.notFound("Clip '" + clipId + "' has no thumbnail"));
            } catch (ShardException e) {
                throw new ApiException(503, "index_unavailable", e.getMessage());
            }
            cache.put(clipId, jpeg);
        }
        exchange.responseHeader("Cache-Control", "private, max-age=3600");
        exchange.respond(200, "image/jpeg", jpeg);
    }
}
