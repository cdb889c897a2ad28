package io.clip4stream.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Server-Sent Events through the real server: framing, and each event reaching the client before the stream ends. */
class EventStreamTest {

    @Test
    void shouldFrameEventsAndDeliverEachBeforeTheStreamEnds() throws Exception {
        CountDownLatch firstRead = new CountDownLatch(1);
        try (HttpHost host = HttpHost.builder("sse-test")
                .port(0)
                .bindAddress("127.0.0.1")
                .route("/events", exchange -> {
                    try (EventStream events = exchange.respondEvents()) {
                        events.event("a:0", "alert", "{\"n\":1}");
                        // The second event is only sent once the client has seen the first: events are not buffered.
                        if (!firstRead.await(30, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the first event never reached the client");
                        }
                        events.comment("keep-alive\nid: forged");
                        events.event(null, null, "two\nlines");
                    }
                })
                .build()
                .start()) {
            HttpResponse<Stream<String>> response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(host.uri().resolve("/events"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, response.statusCode());
            assertTrue(
                    response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                    response.headers().toString());
            assertEquals(
                    "no-cache", response.headers().firstValue("Cache-Control").orElse(""));
            List<String> lines = new ArrayList<>();
            try (Stream<String> body = response.body()) {
                Iterator<String> it = body.iterator();
                while (it.hasNext()) {
                    String line = it.next();
                    lines.add(line);
                    if (line.equals("data: {\"n\":1}")) {
                        firstRead.countDown();
                    }
                }
            }
            assertEquals(
                    List.of(
                            ": stream open",
                            "",
                            "id: a:0",
                            "event: alert",
                            "data: {\"n\":1}",
                            "",
                            ": keep-alive id: forged",
                            "",
                            "data: two",
                            "data: lines",
                            ""),
                    lines);
        }
    }
}
