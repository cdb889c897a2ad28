package io.clip4stream.runtime.lifecycle;

/**
 * A long-running part of Clip4Stream that the launcher starts, watches and stops: the four services and the broker.
 *
 * <p>{@link #start()} returns once the service runs (or throws a descriptive error); {@link #close()} stops it and
 * releases everything, and may be called more than once.
 */
public interface Service extends AutoCloseable {
    /** A short name for logs, e.g. {@code ingest-service}. */
    String name();

    /** Starts the service; throws when it cannot (missing model, unreachable broker), saying why. */
    void start();

    /** Whether the service is ready to do its work. */
    boolean isReady();

    /** Stops the service. */
    @Override
    void close();
}
