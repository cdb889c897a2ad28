package io.clip4stream.runtime.http;

import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The connection and request bounds of an {@link HttpHost}: how long a stalled read may take, how long a keep-alive
 * connection may idle, how large headers and bodies may be, how many requests run at once, and how long shutdown
 * waits for requests in flight.
 *
 * @param readTimeout longest wait for the next bytes of a request (header or body); a client that stalls longer,
 *     such as one that sent half a header, has its connection closed
 * @param idleTimeout longest time a keep-alive connection may sit between requests before the server closes it
 * @param maxHeaderBytes largest request header block (431/400 above)
 * @param maxBodyBytes largest request body on any route of the listener (413 above); routes set smaller limits
 * @param maxConcurrentRequests requests handled at once; more are answered 503 at once
 * @param drainTimeout how long shutdown lets requests in flight finish while new ones are refused with 503
 */
public record HttpLimits(
        Duration readTimeout,
        Duration idleTimeout,
        int maxHeaderBytes,
        long maxBodyBytes,
        int maxConcurrentRequests,
        Duration drainTimeout) {

    /** Default read timeout: generous for a slow client, short enough that stalled sockets do not pile up. */
    public static final long DEFAULT_READ_TIMEOUT_MS = 15_000;

    /** Default keep-alive idle time. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

    /** Default header limit: browsers send a few KiB; 16 KiB leaves room for long cookies and signed links. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

    /** Default listener-wide body limit (services raise it to their largest upload). */
    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;

    /** Default number of requests handled at once. */
    public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 512;

    /** Default drain time on shutdown; below the 10 s a container runtime waits before SIGKILL. */
    public static final long DEFAULT_DRAIN_TIMEOUT_MS = 5_000;

    /** Read timeout. */
    public static final Setting<Duration> READ_TIMEOUT_MS = Setting.millis(
            "CLIP4S_HTTP_READ_TIMEOUT_MS",
            DEFAULT_READ_TIMEOUT_MS,
            "Longest wait for the next bytes of an HTTP request (header or body); a stalled client's connection is"
                    + " closed");

    /** Keep-alive idle timeout. */
    public static final Setting<Duration> IDLE_TIMEOUT_MS = Setting.millis(
            "CLIP4S_HTTP_IDLE_TIMEOUT_MS",
            DEFAULT_IDLE_TIMEOUT_MS,
            "How long a keep-alive HTTP connection may idle between requests before the server closes it");

    /** Header limit. */
    public static final Setting<Integer> MAX_HEADER_BYTES = Setting.integer(
            "CLIP4S_HTTP_MAX_HEADER_BYTES",
            DEFAULT_MAX_HEADER_BYTES,
            1024,
            1024 * 1024,
            "Largest HTTP request header block in bytes (refused above)");

    /** Concurrency limit. */
    public static final Setting<Integer> MAX_CONCURRENT_REQUESTS = Setting.integer(
            "CLIP4S_HTTP_MAX_CONCURRENT_REQUESTS",
            DEFAULT_MAX_CONCURRENT_REQUESTS,
            1,
            1_000_000,
            "HTTP requests a service handles at once; more are answered 503 at once");

    /** Drain time. */
    public static final Setting<Duration> DRAIN_TIMEOUT_MS = Setting.millis(
            "CLIP4S_HTTP_DRAIN_TIMEOUT_MS",
            DEFAULT_DRAIN_TIMEOUT_MS,
            "On shutdown, how long HTTP requests in flight may finish while new ones get 503");

    /** The settings {@link #fromEnv} reads, for the services' documentation lists. */
    public static final List<Setting<?>> SETTINGS =
            List.of(READ_TIMEOUT_MS, IDLE_TIMEOUT_MS, MAX_HEADER_BYTES, MAX_CONCURRENT_REQUESTS, DRAIN_TIMEOUT_MS);

    /** The defaults. */
    public static final HttpLimits DEFAULTS = new HttpLimits(
            Duration.ofMillis(DEFAULT_READ_TIMEOUT_MS),
            Duration.ofMillis(DEFAULT_IDLE_TIMEOUT_MS),
            DEFAULT_MAX_HEADER_BYTES,
            DEFAULT_MAX_BODY_BYTES,
            DEFAULT_MAX_CONCURRENT_REQUESTS,
            Duration.ofMillis(DEFAULT_DRAIN_TIMEOUT_MS));

    /** Validates the bounds. */
    public HttpLimits {
        requirePositive(readTimeout, "readTimeout");
        requirePositive(idleTimeout, "idleTimeout");
        requirePositive(drainTimeout, "drainTimeout");
        if (maxHeaderBytes < 1024 || maxBodyBytes < 1 || maxConcurrentRequests < 1) {
            throw new IllegalArgumentException("HTTP limits must be positive (headers at least 1024 bytes); were "
                    + maxHeaderBytes + " header bytes, " + maxBodyBytes + " body bytes, " + maxConcurrentRequests
                    + " concurrent requests");
        }
    }

    /** Reads the shared HTTP settings; the body limit stays the default until a service raises it. */
    public static HttpLimits fromEnv(Env env) {
        return new HttpLimits(
                env.get(READ_TIMEOUT_MS),
                env.get(IDLE_TIMEOUT_MS),
                env.get(MAX_HEADER_BYTES),
                DEFAULT_MAX_BODY_BYTES,
                env.get(MAX_CONCURRENT_REQUESTS),
                env.get(DRAIN_TIMEOUT_MS));
    }

    /** These limits with a listener-wide body limit of {@code bytes}. */
    public HttpLimits withMaxBodyBytes(long bytes) {
        return new HttpLimits(readTimeout, idleTimeout, maxHeaderBytes, bytes, maxConcurrentRequests, drainTimeout);
    }

    /** These limits with a read timeout of {@code timeout}. */
    public HttpLimits withReadTimeout(Duration timeout) {
        return new HttpLimits(timeout, idleTimeout, maxHeaderBytes, maxBodyBytes, maxConcurrentRequests, drainTimeout);
    }

    /** These limits with at most {@code requests} handled at once. */
    public HttpLimits withMaxConcurrentRequests(int requests) {
        return new HttpLimits(readTimeout, idleTimeout, maxHeaderBytes, maxBodyBytes, requests, drainTimeout);
    }

    /** These limits with a drain time of {@code timeout}. */
    public HttpLimits withDrainTimeout(Duration timeout) {
        return new HttpLimits(readTimeout, idleTimeout, maxHeaderBytes, maxBodyBytes, maxConcurrentRequests, timeout);
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration; was " + duration);
        }
    }
}
