package io.clip4stream.app.cli;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** How the CLI tests' fake services answer: a status and a JSON body, the request's body read first. */
final class JsonAnswer {
    private JsonAnswer() {}

    /** Answers {@code exchange} with {@code status} and {@code json}, and closes it. */
    static void send(HttpExchange exchange, int status, String json) throws IOException {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
