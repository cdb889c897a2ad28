package io.clip4stream.query.fanout;

import io.clip4stream.query.search.SearchFilters;
import java.util.Objects;
import java.util.Set;

/**
 * What every shard is asked: the top {@code n} clips nearest to {@code vector} under {@code filters}.
 *
 * @param vector the L2-normalised text embedding
 * @param n candidates per shard
 * @param filters index-side filters
 * @param modelVersion the model version whose clip vectors to search (null: the index's active one)
 * @param withFrameEmbeddings whether candidates must carry frame embeddings (for re-ranking)
 * @param excludeClipIds clips never returned (a search by example leaves its own clips out)
 * @param excludeSourceIds sources whose clips are never returned
 */
public record CandidateQuery(
        float[] vector,
        int n,
        SearchFilters filters,
        String modelVersion,
        boolean withFrameEmbeddings,
        Set<String> excludeClipIds,
        Set<String> excludeSourceIds) {

    /** Requires a vector and a positive n; copies the exclusions. */
    public CandidateQuery {
        Objects.requireNonNull(vector, "vector");
        Objects.requireNonNull(filters, "filters");
        excludeClipIds = Set.copyOf(excludeClipIds);
        excludeSourceIds = Set.copyOf(excludeSourceIds);
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive; was " + n);
        }
    }

    /** A query that excludes nothing. */
    public CandidateQuery(
            float[] vector, int n, SearchFilters filters, String modelVersion, boolean withFrameEmbeddings) {
        this(vector, n, filters, modelVersion, withFrameEmbeddings, Set.of(), Set.of());
    }
}
