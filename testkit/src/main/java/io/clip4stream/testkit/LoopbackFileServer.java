package io.clip4stream.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP server on the loopback interface that serves what a test put there: files (with Range support), a fixed
 * status, redirects with headers, and files whose first transfer is cut off halfway, as a dropped connection.
 */
public final class LoopbackFileServer implements AutoCloseable {

    /**
     * One request as the server saw it.
     *
     * @param path the request path
     * @param headers the request headers
     */
    public record Request(String path, Map<String, List<String>> headers) {
        /** Returns the first value of header {@code name} (case-insensitive), or null. */
        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst())
                    .findFirst()
                    .orElse(null);
        }
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    /** Starts a server on an ephemeral loopback port. */
    public LoopbackFileServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.add(new Request(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders())));
            Handler handler = handlers.get(exchange.getRequestURI().getPath());
            try {
                if (handler == null) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    handler.handle(exchange);
                }
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** The server's address with the numeric loopback host, e.g. {@code http://127.0.0.1:4711}. */
    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The same server under another host name, so that a redirect there leaves the first host. */
    public URI otherHost() {
        return URI.create("http://localhost:" + server.getAddress().getPort());
    }

    /** Returns the requests for {@code path} so far, in arrival order. */
    public List<Request> requests(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Serves {@code bytes} at {@code path}, honouring {@code Range: bytes=N-}, with extra response headers. */
    public void file(String path, byte[] bytes, Map<String, String> headers) {
        handlers.put(path, exchange -> {
            headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            String range = exchange.getRequestHeaders().getFirst("Range");
            Matcher matcher = range == null ? null : RANGE.matcher(range);
            if (matcher != null && matcher.matches()) {
                int from = Integer.parseInt(matcher.group(1));
                if (from >= bytes.length) {
                    exchange.getResponseHeaders().add("Content-Range", "bytes */" + bytes.length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                exchange.getResponseHeaders()
                        .add("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
                exchange.sendResponseHeaders(206, bytes.length - from);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes, from, bytes.length - from);
                }
                return;
            }
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
    }

    /** Like {@link #file}, but the first full transfer announces every byte, sends half and drops the connection. */
    public void fileDroppedOnce(String path, byte[] bytes) {
        file(path, bytes, Map.of());
        Handler whole = handlers.get(path);
        boolean[] dropped = {false};
        handlers.put(path, exchange -> {
            if (dropped[0] || exchange.getRequestHeaders().getFirst("Range") != null) {
                whole.handle(exchange);
                return;
            }
            dropped[0] = true;
            exchange.sendResponseHeaders(200, bytes.length);
            OutputStream out = exchange.getResponseBody();
            out.write(bytes, 0, bytes.length / 2);
            out.flush();
            // Closing a fixed-length body early makes the server close the connection: the client sees it cut off.
        });
    }

    /** Answers every request for {@code path} with {@code status} and no body. */
    public void status(String path, int status) {
        handlers.put(path, exchange -> exchange.sendResponseHeaders(status, -1));
    }

    /** Redirects {@code path} to {@code location} with extra headers, as the Hugging Face Hub's resolve endpoint does. */
    public void redirect(String path, URI location, Map<String, String> headers) {
        handlers.put(path, exchange -> {
            headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.getResponseHeaders().add("Location", location.toString());
            exchange.sendResponseHeaders(302, -1);
        });
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
