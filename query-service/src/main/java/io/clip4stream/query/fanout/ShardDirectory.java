package io.clip4stream.query.fanout;

/** Tells the query service which index instances to ask. */
public interface ShardDirectory {
    /**
     * Returns the current layout.
     *
     * @throws ShardException when no instance can be discovered at all
     */
    ShardLayout layout();

    /** Forgets any cached layout, so the next {@link #layout()} looks again (after an instance failed). */
    void invalidate();
}
