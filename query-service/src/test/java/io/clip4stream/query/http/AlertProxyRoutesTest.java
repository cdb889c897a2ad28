package io.clip4stream.query.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.query.engine.ThumbnailCache;
import io.clip4stream.runtime.http.HttpHost;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alert proxy against a real (in-process) HTTP server standing in for the alert service: answers pass through,
 * and the best clip of every alert passed on gets its thumbnail served, as a search hit's does.
 */
class AlertProxyRoutesTest {
    private static final String ALERT_LIST = "{\"alerts\":[{\"alertId\":\"a1\",\"bestClipId\":\"cam:7\"},"
            + "{\"alertId\":\"a2\",\"bestClipId\":\"cam:8\"},{\"alertId\":\"a3\"}]}";
    private static final String EVENTS =
            "id: a4:0\nevent: alert\ndata: {\"alertId\":\"a4\",\"bestClipId\":\"cam:9\"}\n\n"
                    + "event: overflow\ndata: {\"bestClipId\":\"not-an-alert\"}\n\n";

    private final ThumbnailCache thumbnails = new ThumbnailCache(100);
    private final HttpClient client = HttpClient.newHttpClient();
    private volatile int listStatus = 200;
    private volatile String listBody = ALERT_LIST;
    private HttpHost alertService;
    private HttpHost proxy;

    @BeforeEach
    void start() {
        alertService = HttpHost.builder("fake-alert")
                .port(0)
                .bindAddress("127.0.0.1")
                .route("/", exchange -> {
                    if (exchange.path().equals(AlertProxyRoutes.ALERTS_STREAM)) {
                        exchange.respond(200, "text/event-stream", EVENTS.getBytes(StandardCharsets.UTF_8));
                    } else {
                        exchange.respond(listStatus, "application/json", listBody.getBytes(StandardCharsets.UTF_8));
                    }
                })
                .build()
                .start();
        AlertProxyRoutes routes = new AlertProxyRoutes(
                alertService.uri(), HttpClient.newHttpClient(), Duration.ofSeconds(30), thumbnails::allow);
        proxy = HttpHost.builder("proxy")
                .port(0)
                .bindAddress("127.0.0.1")
                .route(AlertProxyRoutes.ALERTS, routes::handle)
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        proxy.close();
        alertService.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create(proxy.uri() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAlertListPassesThroughAndItsBestClipsThumbnailsAreServed() throws Exception {
        HttpResponse<String> response = get("/alerts?limit=10");

        assertEquals(200, response.statusCode());
        assertEquals(ALERT_LIST, response.body());
        assertTrue(thumbnails.allowed("cam:7"));
        assertTrue(thumbnails.allowed("cam:8"));
        assertEquals(2, thumbnails.size());
    }

    @Test
    void aStreamedAlertsBestClipIsServedAndOtherEventsAreNot() throws Exception {
        HttpResponse<String> response = get(AlertProxyRoutes.ALERTS_STREAM);

        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("\"bestClipId\":\"cam:9\""), response.body());
        assertTrue(thumbnails.allowed("cam:9"));
        assertFalse(thumbnails.allowed("not-an-alert"), "an overflow event names no alert");
    }

    @Test
    void anErrorOrAnUnreadableListIsPassedOnAndShowsNothing() throws Exception {
        listStatus = 503;
        HttpResponse<String> unavailable = get("/alerts");
        listStatus = 200;
        listBody = "not json";
        HttpResponse<String> unreadable = get("/alerts");

        assertEquals(503, unavailable.statusCode());
        assertEquals(ALERT_LIST, unavailable.body());
        assertEquals(200, unreadable.statusCode());
        assertEquals("not json", unreadable.body());
        assertEquals(0, thumbnails.size());
    }
}
