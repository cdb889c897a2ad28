package io.clip4stream.alert.http;

import io.clip4stream.alert.feed.AlertFeed;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /alerts?limit=N}: the most recent alerts, newest first (latest revision of each).
 *
 * <p>{@code GET /alerts/stream} (Server-Sent Events) is not here yet: the HTTP facade's streamed response needs a
 * length known in advance, and the facade is being reimplemented; it comes after that lands.
 */
public final class AlertRoutes {
    /** The path. */
    public static final String PATH = "/alerts";

    private static final int DEFAULT_LIMIT = 50;

    private final AlertFeed feed;

    /** Routes over {@code feed}. */
    public AlertRoutes(AlertFeed feed) {
        this.feed = Objects.requireNonNull(feed, "feed");
    }

    /** Answers {@code GET /alerts}. */
    public void handle(Exchange exchange) throws IOException {
        if (!exchange.path().equals(PATH)) {
            throw ApiException.notFound("No route " + exchange.path());
        }
        if (!exchange.method().equals("GET")) {
            throw new ApiException(405, "method_not_allowed", "Use GET on " + PATH);
        }
        int limit = DEFAULT_LIMIT;
        String given = exchange.query().get("limit");
        if (given != null) {
            try {
                limit = Integer.parseInt(given);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad_limit", "limit must be a whole number; was '" + given + "'");
            }
            if (limit < 1 || limit > 10_000) {
                throw ApiException.badRequest("bad_limit", "limit must be 1-10000; was " + limit);
            }
        }
        exchange.respondJson(200, Map.of("alerts", feed.recent(limit)));
    }
}
