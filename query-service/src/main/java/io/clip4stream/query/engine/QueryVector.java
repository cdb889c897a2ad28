package io.clip4stream.query.engine;

import java.util.Objects;
import java.util.Set;

/**
 * A query as the index sees it.
 *
 * @param vector the unit query vector
 * @param rawText the raw text embedding for the tight head; null when the query has an example (never re-ranked)
 * @param excludeClipIds clips left out of the hits (the example's own)
 * @param excludeSourceIds sources left out of the hits
 */
public record QueryVector(float[] vector, float[] rawText, Set<String> excludeClipIds, Set<String> excludeSourceIds) {

    /** Requires a vector; copies the exclusions. */
    public QueryVector {
        Objects.requireNonNull(vector, "vector");
        excludeClipIds = Set.copyOf(excludeClipIds);
        excludeSourceIds = Set.copyOf(excludeSourceIds);
    }
}
