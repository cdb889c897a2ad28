package io.clip4stream.query.search;

import java.util.Objects;

/**
 * A checked search: build it with {@link SearchLimits#check}.
 *
 * @param text the query text, stripped; empty only for a query by example alone
 * @param k hits to return
 * @param candidates first-stage candidates to gather (at least k)
 * @param filters index-side filters
 * @param rerank whether to re-rank with the tight head when the model has one
 * @param modelVersion the model version asked for; null means the loaded one
 */
public record SearchRequest(
        String text, int k, int candidates, SearchFilters filters, boolean rerank, String modelVersion) {

    /** Checks the invariants {@link SearchLimits#check} establishes. */
    public SearchRequest {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(filters, "filters");
        if (k < 1 || candidates < k) {
            throw new IllegalArgumentException("unchecked search request: k " + k + ", candidates " + candidates);
        }
    }
}
