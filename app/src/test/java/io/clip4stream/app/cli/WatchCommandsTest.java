package io.clip4stream.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code watch}, {@code watches} and {@code unwatch} against a fake query service that records what it is sent. */
class WatchCommandsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    private HttpServer server;
    private String url;

    @BeforeEach
    void startFake() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/standing-queries", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(
                    exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + body);
            String answer;
            int status;
            switch (exchange.getRequestMethod()) {
                case "POST" -> {
                    JsonNode sent = json.readTree(body);
                    status = sent.get("text").asText().isBlank() ? 400 : 201;
                    answer = status == 400
                            ? "{\"error\":\"empty_text\",\"message\":\"A standing query needs a non-empty text\"}"
                            : "{\"standingQuery\":{\"id\":\"q1\",\"text\":" + sent.get("text")
                                    + ",\"sources\":[],\"alertsPerDay\":1.0},\"webhookSecrets\":[{\"url\":"
                                    + "\"https://example.com/h\",\"secret\":\"abc\"}]}";
                }
                case "DELETE" -> {
                    status = 200;
                    answer = "{\"deleted\":\"q1\"}";
                }
                default -> {
                    status = 200;
                    answer = "{\"standingQueries\":[{\"id\":\"q1\",\"text\":\"a red circle\",\"sources\":[\"cam-1\"],"
                            + "\"minScore\":0.7}]}";
                }
            }
            JsonAnswer.send(exchange, status, answer);
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopFake() {
        server.stop(0);
    }

    private int run(String... args) {
        return Clip4StreamCommand.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), Map.of())
                .execute(args);
    }

    @Test
    void watchShouldPostTheQueryAndShowTheSecretOnce() throws Exception {
        assertEquals(
                0,
                run(
                        "watch",
                        "a red circle",
                        "--source",
                        "cam-1",
                        "--source",
                        "cam-2",
                        "--webhook",
                        "https://example.com/h",
                        "--rate",
                        "2/day",
                        "--url",
                        url));
        String request = requests.getFirst();
        assertTrue(request.startsWith("POST /standing-queries "), request);
        JsonNode sent = json.readTree(request.substring("POST /standing-queries ".length()));
        assertEquals("a red circle", sent.get("text").asText());
        assertEquals(
                List.of("cam-1", "cam-2"),
                List.of(
                        sent.get("sources").get(0).asText(),
                        sent.get("sources").get(1).asText()));
        assertEquals("2/day", sent.get("rate").asText());
        assertEquals(
                "https://example.com/h", sent.get("webhooks").get(0).get("url").asText());
        assertTrue(out.toString().contains("as q1"), out.toString());
        assertTrue(out.toString().contains("secret abc"), out.toString());
    }

    @Test
    void watchesShouldListAndUnwatchShouldDeleteAndErrorsShouldBeReadable() {
        assertEquals(0, run("watches", "--url", url));
        assertTrue(out.toString().contains("score >= 0.700"), out.toString());
        assertTrue(out.toString().contains("cam-1"), out.toString());
        assertEquals(0, run("unwatch", "q1", "--url", url));
        assertTrue(requests.contains("DELETE /standing-queries/q1 "), requests.toString());
        assertEquals(1, run("watch", " ", "--url", url));
        assertTrue(err.toString().contains("400") && err.toString().contains("empty_text"), err.toString());
    }
}
