package io.clip4stream.query.fanout;

import io.clip4stream.query.search.SearchFilters;
import java.util.Objects;

/**
 * What every shard is asked: the top {@code n} clips nearest to {@code vector} under {@code filters}.
 *
 * @param vector the L2-normalised text embedding
 * @param n candidates per shard
 * @param filters index-side filters
 * @param modelVersion the model version whose clip vectors to search (null: the index's active one)
 * @param withFrameEmbeddings whether candidates must carry frame embeddings (for re-ranking)
 */
public record CandidateQuery(
        float[] vector, int n, SearchFilters filters, String modelVersion, boolean withFrameEmbeddings) {

    /** Requires a vector and a positive n. */
    public CandidateQuery {
        Objects.requireNonNull(vector, "vector");
        Objects.requireNonNull(filters, "filters");
        if (n < 1) {
            throw new IllegalArgumentException("n must be positive; was " + n);
        }
    }
}
