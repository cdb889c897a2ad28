package io.clip4stream.runtime.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
    private final ServerRequest request;
    private final ServerResponse response;
    private final ObjectMapper json;
    private final ReadDeadlines readDeadlines;
    private boolean responded;
    private int status = 200;

    Exchange(ServerRequest request, ServerResponse response, ObjectMapper json, ReadDeadlines readDeadlines) {
        this.request = request;
        this.response = response;
        this.json = json;
        this.readDeadlines = readDeadlines;
    }

    /** The HTTP method, upper case. */
    public String method() {
        return request.prologue().method().text();
    }

    /** The decoded request path. */
    public String path() {
        return request.path().path();
    }

    /** The address of the client at the other end of the connection (not a forwarded-for header). */
    public java.net.InetAddress remoteAddress() {
        return ((InetSocketAddress) request.remotePeer().address()).getAddress();
    }

    /** A request header's first value. */
    public Optional<String> header(String name) {
        return request.headers().first(HeaderNames.create(name));
    }

    /** The query parameters (first value of each), URL-decoded. */
    public Map<String, String> query() {
        Map<String, String> params = new LinkedHashMap<>();
        String raw = request.query().rawValue();
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
        String declared = header("Content-Length").orElse(null);
        if (declared != null) {
            try {
                if (Long.parseLong(declared.strip()) > maxBytes) {
                    throw tooLarge(maxBytes);
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("bad_content_length", "Content-Length is not a number: " + declared);
            }
        }
        try (InputStream in = bodyStream()) {
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
        // Watched, so a client that stops sending its body mid-way has its connection closed after the read timeout.
        return readDeadlines.watchBody(request.socketId(), request.content().inputStream());
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
        start(status, contentType);
        responded = true;
        response.send(body);
    }

    /**
     * Sends {@code length} bytes read from {@code body} (streamed, never held whole, e.g. a video range); a HEAD
     * request gets the headers only.
     */
    public void respondStream(int status, String contentType, long length, InputStream body) throws IOException {
        start(status, contentType);
        response.contentLength(length);
        responded = true;
        if (method().equals("HEAD") || length == 0) {
            response.send();
            return;
        }
        byte[] buffer = new byte[64 * 1024];
        long left = length;
        try (OutputStream out = response.outputStream()) {
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

    /**
     * Starts a {@code text/event-stream} response (Server-Sent Events) of unknown length; the caller writes events to
     * the returned stream until the client goes (an {@link IOException}) or it has nothing more to say, then closes it.
     */
    public EventStream respondEvents() throws IOException {
        start(200, "text/event-stream; charset=utf-8");
        response.header("Cache-Control", "no-cache");
        // Reverse proxies (nginx) buffer responses by default, which would hold events back.
        response.header("X-Accel-Buffering", "no");
        responded = true;
        EventStream events = new EventStream(response.outputStream());
        // The status line and headers go out now, so a client knows the stream is open before the first event.
        events.comment("stream open");
        return events;
    }

    /** Sets a response header before responding. */
    public void responseHeader(String name, String value) {
        response.header(name, value);
    }

    boolean responded() {
        return responded || response.isSent();
    }

    int status() {
        return status;
    }

    private void start(int status, String contentType) {
        this.status = status;
        response.status(status);
        response.header("Content-Type", contentType);
        response.header("X-Content-Type-Options", "nosniff");
    }

    private static ApiException tooLarge(long maxBytes) {
        return new ApiException(413, "payload_too_large", "Request body exceeds the limit of " + maxBytes + " bytes");
    }
}
