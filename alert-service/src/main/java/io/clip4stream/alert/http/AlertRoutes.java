package io.clip4stream.alert.http;

import io.clip4stream.alert.feed.AlertFeed;
import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /alerts?limit=N}: the most recent alerts, newest first (latest revision of each); {@code GET
 * /alerts/stream}: every alert record from now on as Server-Sent Events ({@code event: alert}, {@code id:
 * <alertId>:<revision>}, the alert as JSON), in the order the alerts topic holds them.
 *
 * <p>Each stream client has a bounded buffer: a client too slow to keep up gets an {@code overflow} event and the
 * stream ends, so that it reconnects (and reads {@code GET /alerts} for what it missed) instead of holding memory
 * without bound.
 */
public final class AlertRoutes {
    /** The path. */
    public static final String PATH = "/alerts";

    /** The Server-Sent Events path. */
    public static final String STREAM_PATH = PATH + "/stream";

    /** Alerts a stream client may fall behind by before its stream is ended. */
    public static final int STREAM_BUFFER = 1000;

    private static final int DEFAULT_LIMIT = 50;
    private static final long POLL_MILLIS = 500;
    private static final long KEEP_ALIVE_MILLIS = 15_000;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final AlertFeed feed;
    private final java.util.function.BooleanSupplier closing;

    /** Routes over {@code feed}. */
    public AlertRoutes(AlertFeed feed) {
        this(feed, () -> false);
    }

    /** Routes over {@code feed}; open streams end once {@code closing} says the service is stopping. */
    public AlertRoutes(AlertFeed feed, java.util.function.BooleanSupplier closing) {
        this.feed = Objects.requireNonNull(feed, "feed");
        this.closing = Objects.requireNonNull(closing, "closing");
    }

    /** Answers {@code GET /alerts} and {@code GET /alerts/stream}. */
    public void handle(Exchange exchange) throws IOException {
        if (exchange.path().equals(STREAM_PATH)) {
            if (!exchange.method().equals("GET")) {
                throw new ApiException(405, "method_not_allowed", "Use GET on " + STREAM_PATH);
            }
            stream(exchange);
            return;
        }
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

    private void stream(Exchange exchange) throws IOException {
        java.util.concurrent.BlockingQueue<io.clip4stream.alert.feed.AlertView> queue =
                new java.util.concurrent.ArrayBlockingQueue<>(STREAM_BUFFER);
        java.util.concurrent.atomic.AtomicBoolean overflowed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.Consumer<io.clip4stream.alert.feed.AlertView> listener = view -> {
            if (!queue.offer(view)) {
                overflowed.set(true);
            }
        };
        feed.listen(listener);
        try (io.clip4stream.runtime.http.EventStream events = exchange.respondEvents()) {
            long quietSince = System.nanoTime();
            while (!closing.getAsBoolean()) {
                io.clip4stream.alert.feed.AlertView view =
                        queue.poll(POLL_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (view != null) {
                    events.event(view.alertId() + ":" + view.revision(), "alert", JSON.writeValueAsString(view));
                    quietSince = System.nanoTime();
                } else if (overflowed.get()) {
                    events.event(
                            null,
                            "overflow",
                            "{\"reason\":\"this client fell more than " + STREAM_BUFFER
                                    + " alerts behind; reconnect, and read GET /alerts for what was missed\"}");
                    return;
                } else if (System.nanoTime() - quietSince > KEEP_ALIVE_MILLIS * 1_000_000) {
                    events.comment("keep-alive");
                    quietSince = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The client went away: nothing to answer.
        } finally {
            feed.unlisten(listener);
        }
    }
}
