package io.clip4stream.query.http;

import io.clip4stream.runtime.http.HttpHost;

/** The query service's routes on an HTTP host; the service and the tests both wire them through here. */
public final class QueryRoutes {
    private QueryRoutes() {}

    /**
     * Registers the page (open), {@code /openapi.json} (open), and the guarded API routes.
     *
     * @param host the host builder
     * @param guard CORS and rate limiting in front of every API route
     * @param search {@code /search}, {@code /search/image} and {@code /search/similar}
     * @param thumbnails {@code /thumbnails/}
     * @param sources {@code /sources}
     * @param ingest {@code /ingest/}
     * @param media {@code /media/} (public; signed links when keys are on) and {@code /media-links/}
     * @param page the web page, the OpenAPI document and {@code /model}
     */
    public static HttpHost.Builder register(
            HttpHost.Builder host,
            RequestGuard guard,
            SearchRoutes search,
            ThumbnailRoutes thumbnails,
            SourceRoutes sources,
            IngestProxyRoutes ingest,
            MediaRoutes media,
            PageRoutes page) {
        return host.publicRoute("/", guard.wrap(page::handle))
                .publicRoute("/openapi.json", guard.wrap(page::handle))
                .publicRoute("/config.json", guard.wrap(page::handle))
                .publicRoute(PageRoutes.MODEL, guard.wrap(page::handle))
                .route("/search", guard.wrap(search::handle))
                .route("/search/image", guard.wrap(search::image))
                .route("/search/similar", guard.wrap(search::similar))
                .route("/thumbnails/", guard.wrap(thumbnails::handle))
                .route("/sources", guard.wrap(sources::handle))
                .route(IngestProxyRoutes.PREFIX + "/", guard.wrap(ingest::handle))
                .publicRoute(MediaRoutes.MEDIA, guard.wrap(media::media))
                .route(MediaRoutes.LINKS, guard.wrap(media::link));
    }
}
