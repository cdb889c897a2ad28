package io.clip4stream.query.bench;

import java.net.URI;
import java.util.List;

/**
 * An index instance the query benchmark queries through the query service: it speaks the index-service's query API at
 * {@link #uri()} and times its own search, so the benchmark can tell the shards' search from HTTP, JSON and merging.
 */
public interface BenchShard extends AutoCloseable {

    /**
     * One clip found by {@link #nearest}.
     *
     * @param clipId clip id
     * @param score cosine similarity to the query
     */
    record Hit(String clipId, float score) {}

    /** The base URI of its query API. */
    URI uri();

    /** Total nanoseconds spent searching for {@code /v1/knn} (excluding HTTP and JSON), for the breakdown. */
    long scanNanos();

    /**
     * The {@code k} clips nearest to the unit vector {@code query} the way {@code /v1/knn} finds them, best first;
     * called directly (not over HTTP, not counted in {@link #scanNanos()}) to measure recall.
     */
    List<Hit> nearest(float[] query, int k);

    @Override
    void close();
}
