package io.clip4stream.runtime.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request and its response, with bounded body reading and JSON in and out.
 *
 * <p>Request bodies are never read unbounded: callers give the limit, and a larger body is a 413.
 */
public final class Exchange {
    private final HttpExchange http;
    private final ObjectMapper json;
    private boolean responded;

    Exchange(HttpExchange http, ObjectMapper json) {
        this.http = http;
        this.json = json;
    }

    /** The HTTP method, upper case. */
    public String method() {
        return http.getRequestMethod();
    }

    /** The decoded request path. */
    public String path() {
        return http.getRequestURI().getPath();
    }

    /** The address of the client at the other end of the connection (not a forwarded-for header). */
    public java.net.InetAddress remoteAddress() {
        return http.getRemoteAddress().getAddress();
    }

    /** A request header's first value. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(http.getRequestHeaders().getFirst(name));
    }

    /** The query parameters (first value of each), URL-decoded. */
    public Map<String, String> query() {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = http.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                params.putIfAbsent(
                        URLDecoder.decode(key, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("malformed_query", "Malformed query string: " + e.getMessage());
            }
        }
        return params;
    }

    /** Reads the whole body, or fails with 413 when it is larger than {@code maxBytes}. */
    public byte[] body(long maxBytes) throws IOException {
        String declared = http.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > maxBytes) {
                    throw tooLarge(maxBytes);
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad_content_length", "Content-Length is not a number: " + declared);
            }
        }
        try (InputStream in = http.getRequestBody()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        }
    }

    /** The raw body stream, for handlers that stream large uploads to disk under their own limit. */
    public InputStream bodyStream() {
        return http.getRequestBody();
    }

    /** Parses a JSON body of at most {@code maxBytes} into {@code type}; malformed JSON is a 400. */
    public <T> T readJson(Class<T> type, long maxBytes) throws IOException {
        byte[] body = body(maxBytes);
        if (body.length == 0) {
            throw ApiException.badRequest("empty_body", "A JSON body is required");
        }
        try {
            return json.readValue(body, type);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw ApiException.badRequest("malformed_json", "Malformed JSON body: " + e.getOriginalMessage());
        }
    }

    /** Sends {@code body} as JSON with {@code status}. */
    public void respondJson(int status, Object body) throws IOException {
        respond(status, "application/json", json.writeValueAsBytes(body));
    }

    /** Sends bytes with a content type. */
    public void respond(int status, String contentType, byte[] body) throws IOException {
        http.getResponseHeaders().set("Content-Type", contentType);
        http.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        http.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = http.getResponseBody()) {
                out.write(body);
            }
        }
        responded = true;
    }

    /**
     * Sends {@code length} bytes read from {@code body} (streamed, never held whole, e.g. a video range); a HEAD
     * request gets the headers only.
     */
    public void respondStream(int status, String contentType, long length, InputStream body) throws IOException {
        http.getResponseHeaders().set("Content-Type", contentType);
        http.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (method().equals("HEAD") || length == 0) {
            http.getResponseHeaders().set("Content-Length", Long.toString(length));
            http.sendResponseHeaders(status, -1);
            responded = true;
            return;
        }
        http.sendResponseHeaders(status, length);
        responded = true;
        byte[] buffer = new byte[64 * 1024];
        long left = length;
        try (OutputStream out = http.getResponseBody()) {
            while (left > 0) {
                int n = body.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new java.io.EOFException(left + " bytes of the response body were missing");
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    /** Sets a response header before responding. */
    public void responseHeader(String name, String value) {
        http.getResponseHeaders().set(name, value);
    }

    boolean responded() {
        return responded;
    }

    private static ApiException tooLarge(long maxBytes) {
        return new ApiException(413, "payload_too_large", "Request body exceeds the limit of " + maxBytes + " bytes");
    }
}
