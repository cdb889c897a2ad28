package io.clip4stream.query.http;

import io.clip4stream.runtime.http.ApiException;
import io.clip4stream.runtime.http.Exchange;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /ingest/sources/...}: forwards the web page's uploads, live-stream registrations, status reads and video playback to
 * the ingest-service, so the page needs one origin and one key. Uploads are streamed through under a size limit,
 * never held whole; open-ended video ranges are cut to bounded chunks, so no response is held whole either.
 */
public final class IngestProxyRoutes {
    /** Path prefix of the proxy on the query service. */
    public static final String PREFIX = "/ingest";

    /** The ingest-service's routes the proxy forwards: {@code /sources} and below. */
    public static final String SOURCES = "/sources";

    /** Largest ingest response passed through (larger ones are a 502); video is fetched in ranges below this. */
    public static final int MAXIMUM_RESPONSE_BYTES = 16 * 1024 * 1024;

    /** Length of the chunk an open-ended {@code Range: bytes=N-} request is cut to. */
    public static final long RANGE_CHUNK_BYTES = 4L * 1024 * 1024;

    private static final Pattern OPEN_RANGE = Pattern.compile("bytes=(\\d+)-");
    private static final List<String> PASSED_RESPONSE_HEADERS =
            List.of("Content-Range", "Accept-Ranges", "Location", "Retry-After");

    private final URI ingestBase;
    private final String ingestApiKey;
    private final HttpClient http;
    private final long maxUploadBytes;
    private final Duration timeout;

    /** Forwards to {@code ingestBase} with {@code ingestApiKey} (blank for none), uploads up to {@code maxUploadBytes}. */
    public IngestProxyRoutes(
            URI ingestBase, String ingestApiKey, HttpClient http, long maxUploadBytes, Duration timeout) {
        this.ingestBase = Objects.requireNonNull(ingestBase, "ingestBase");
        this.ingestApiKey = ingestApiKey == null ? "" : ingestApiKey;
        this.http = Objects.requireNonNull(http, "http");
        this.maxUploadBytes = maxUploadBytes;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Forwards one request. */
    public void handle(Exchange exchange) throws IOException {
        String method = exchange.method();
        if (!List.of("GET", "POST", "PUT", "DELETE").contains(method)) {
            throw new ApiException(405, "method_not_allowed", "The ingest proxy forwards GET, POST, PUT and DELETE");
        }
        String rest = exchange.path().substring(PREFIX.length());
        // Only the ingest API's source routes pass: its probes, metrics and anything added later stay private.
        if (!(rest.equals(SOURCES) || rest.startsWith(SOURCES + "/"))
                || rest.contains("/../")
                || rest.endsWith("/..")) {
            throw ApiException.notFound(
                    "No route " + exchange.path() + "; the proxy forwards " + PREFIX + SOURCES + "/... only");
        }
        forward(exchange, method, rest, encodeQuery(exchange.query()));
    }

    /**
     * Sends {@code method} on the ingest-service's {@code rest} (a path under {@link #SOURCES}, already checked) with
     * {@code rawQuery} (null for none), passing the answer back; shared with {@link MediaRoutes}.
     */
    void forward(Exchange exchange, String method, String rest, String rawQuery) throws IOException {
        URI target = target(rest, rawQuery);
        HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(timeout);
        exchange.header("Content-Type").ifPresent(v -> request.header("Content-Type", v));
        exchange.header("Accept").ifPresent(v -> request.header("Accept", v));
        exchange.header("Range").map(IngestProxyRoutes::boundedRange).ifPresent(v -> request.header("Range", v));
        if (!ingestApiKey.isBlank()) {
            request.header("X-Api-Key", ingestApiKey);
        }
        if (method.equals("POST") || method.equals("PUT")) {
            long declared = exchange.header("Content-Length")
                    .map(IngestProxyRoutes::length)
                    .orElse(-1L);
            if (declared > maxUploadBytes) {
                throw tooLarge();
            }
            InputStream body = new LimitedInputStream(exchange.bodyStream(), maxUploadBytes);
            HttpRequest.BodyPublisher publisher = declared >= 0
                    ? HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> body), declared)
                    : HttpRequest.BodyPublishers.ofInputStream(() -> body);
            request.method(method, publisher);
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            if (hasCause(e, UploadTooLargeException.class)) {
                throw tooLarge();
            }
            throw new ApiException(
                    502,
                    "ingest_unreachable",
                    "The ingest service at " + ingestBase + " cannot be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "interrupted", "The request was interrupted");
        }
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(MAXIMUM_RESPONSE_BYTES + 1);
        }
        if (bytes.length > MAXIMUM_RESPONSE_BYTES) {
            throw new ApiException(
                    502,
                    "ingest_response_too_large",
                    "The ingest service answered more than " + MAXIMUM_RESPONSE_BYTES + " bytes; ask for a byte range");
        }
        for (String name : PASSED_RESPONSE_HEADERS) {
            response.headers().firstValue(name).ifPresent(v -> exchange.responseHeader(name, v));
        }
        String contentType = response.headers().firstValue("Content-Type").orElse("application/octet-stream");
        exchange.respond(response.statusCode(), contentType, bytes);
    }

    private URI target(String rest, String rawQuery) {
        String base = ingestBase.toString().replaceAll("/+$", "");
        return URI.create(base + rest.replace(" ", "%20") + (rawQuery == null ? "" : "?" + rawQuery));
    }

    private static String encodeQuery(java.util.Map<String, String> query) {
        if (query.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        query.forEach((name, value) -> {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8))
                    .append('=')
                    .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
        });
        return out.toString();
    }

    /** Cuts {@code bytes=N-} to {@code bytes=N-(N+chunk-1)}; other ranges pass unchanged. */
    static String boundedRange(String range) {
        Matcher m = OPEN_RANGE.matcher(range.strip());
        if (!m.matches()) {
            return range;
        }
        long start = Long.parseLong(m.group(1));
        return "bytes=" + start + "-" + (start + RANGE_CHUNK_BYTES - 1);
    }

    private static long length(String text) {
        try {
            return Long.parseLong(text.strip());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("bad_content_length", "Content-Length is not a number: " + text);
        }
    }

    private static ApiException tooLarge() {
        return new ApiException(
                413,
                "payload_too_large",
                "Uploads through the query service are limited by" + " CLIP4S_QUERY_MAX_UPLOAD_MB");
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** Signals that an upload went past the limit while streaming. */
    private static final class UploadTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        UploadTooLargeException(long limit) {
            super("upload exceeds " + limit + " bytes");
        }
    }

    /** Fails once more than the limit has been read, so a body without Content-Length is bounded too. */
    private static final class LimitedInputStream extends FilterInputStream {
        private final long limit;
        private long read;

        LimitedInputStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && ++read > limit) {
                throw new UploadTooLargeException(limit);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                read += n;
                if (read > limit) {
                    throw new UploadTooLargeException(limit);
                }
            }
            return n;
        }
    }
}
