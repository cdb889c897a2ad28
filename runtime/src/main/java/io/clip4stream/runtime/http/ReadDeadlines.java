package io.clip4stream.runtime.http;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections whose client stalls in the middle of a request: a header block not finished within the read
 * timeout of its request line, or a body that delivers no bytes for the read timeout while a route reads it.
 *
 * <p>Why this exists: Helidon applies its socket read timeout to client sockets only, and its idle-connection check
 * interrupts a connection only while it waits for a request line, so a client that sends a request line and half a
 * header would hold its connection (and file descriptor) forever. Helidon reports each request line and finished
 * header block to a receive listener; this class watches the gap between them and closes the socket when it grows too
 * long.
 */
final class ReadDeadlines implements Http1ConnectionListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReadDeadlines.class);

    private final long timeoutNanos;
    private final long forgetNanos;
    private final LongSupplier clock;
    private final Map<String, Watch> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    /** One connection's current request: in its header, or a route reading its body. */
    private static final class Watch {
        private final ConnectionContext connection;
        private volatile boolean inHeader;
        private volatile boolean inBody;
        private volatile long since;

        private Watch(ConnectionContext connection) {
            this.connection = connection;
        }
    }

    /** Watches with {@code timeout}; a connection quiet for longer than {@code idle} is no longer watched. */
    ReadDeadlines(String service, Duration timeout, Duration idle, LongSupplier clock) {
        this.timeoutNanos = timeout.toNanos();
        // By then the server's idle check has closed it; if it was reused, its next request line watches it again.
        this.forgetNanos = idle.plus(timeout).toNanos();
        this.clock = clock;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, service + "-http-read-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        // A quarter of the timeout (at most a second) keeps the overshoot small without a busy thread.
        long period = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
        sweeper.scheduleAtFixedRate(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void prologue(ConnectionContext connection, HttpPrologue prologue) {
        Watch watch = watches.computeIfAbsent(connection.childSocketId(), id -> new Watch(connection));
        watch.since = clock.getAsLong();
        watch.inBody = false;
        watch.inHeader = true;
    }

    @Override
    public void headers(ConnectionContext connection, Headers headers) {
        Watch watch = watches.get(connection.childSocketId());
        if (watch != null) {
            watch.inHeader = false;
        }
    }

    /** Watches the body of the request on {@code socketId} while the route reads {@code body}. */
    InputStream watchBody(String socketId, InputStream body) {
        Watch watch = watches.get(socketId);
        if (watch == null) {
            return body;
        }
        watch.since = clock.getAsLong();
        watch.inBody = true;
        return new FilterInputStream(body) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                watch.since = clock.getAsLong();
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                watch.since = clock.getAsLong();
                return n;
            }

            @Override
            public void close() throws IOException {
                watch.inBody = false;
                super.close();
            }
        };
    }

    /** The request on {@code socketId} was answered: its connection waits for the next request line. */
    void answered(String socketId) {
        Watch watch = watches.get(socketId);
        if (watch != null) {
            watch.inBody = false;
            watch.inHeader = false;
            watch.since = clock.getAsLong();
        }
    }

    /** Connections being watched right now (for tests and diagnostics). */
    int watched() {
        return watches.size();
    }

    private void sweep() {
        long now = clock.getAsLong();
        watches.forEach((id, watch) -> {
            boolean watching = watch.inHeader || watch.inBody;
            if (!watch.connection.serverSocket().isConnected() || !watching && now - watch.since > forgetNanos) {
                watches.remove(id, watch);
            } else if (watching && now - watch.since > timeoutNanos) {
                LOG.debug(
                        "Closing connection {} from {}: no {} for {} ms",
                        id,
                        watch.connection.remotePeer().address(),
                        watch.inHeader ? "end of header" : "body bytes",
                        TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                watches.remove(id, watch);
                try {
                    watch.connection.serverSocket().close();
                } catch (RuntimeException e) {
                    LOG.debug("Connection {} was already closed", id, e);
                }
            }
        });
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        watches.clear();
    }
}
