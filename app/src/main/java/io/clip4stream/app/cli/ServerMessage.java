package io.clip4stream.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** The sentence a service's error answer ({@code {"error": {"code", "message"}}}) holds, for the CLI to print. */
final class ServerMessage {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServerMessage() {}

    /** The server's message, or a short description of the status when the body holds none. */
    static String of(int status, String body) {
        try {
            JsonNode message = JSON.readTree(body).path("error").path("message");
            if (message.isTextual() && !message.asText().isBlank()) {
                return message.asText();
            }
        } catch (IOException | RuntimeException e) {
            // Not JSON (a proxy's page, say): fall through to the status.
        }
        return "the service answered HTTP " + status;
    }

    /** The error code of a service's error answer ({@code error.code}), or empty when the body holds none. */
    static String code(String body) {
        try {
            JsonNode code = JSON.readTree(body).path("error").path("code");
            return code.isTextual() ? code.asText() : "";
        } catch (IOException | RuntimeException e) {
            return ""; // not JSON: no code
        }
    }
}
