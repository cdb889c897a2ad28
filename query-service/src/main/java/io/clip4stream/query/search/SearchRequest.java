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
 * @param rerankBudgetMs milliseconds the tight re-rank may take (the best candidates that fit are re-ranked, the rest
 *     stay first-stage only; 0: none re-ranked); null means the service's default
 */
public record SearchRequest(
        String text,
        int k,
        int candidates,
        SearchFilters filters,
        boolean rerank,
        String modelVersion,
        Integer rerankBudgetMs) {

    /** Checks the invariants {@link SearchLimits#check} establishes. */
    public SearchRequest {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(filters, "filters");
        if (k < 1 || candidates < k) {
            throw new IllegalArgumentException("unchecked search request: k " + k + ", candidates " + candidates);
        }
        if (rerankBudgetMs != null && rerankBudgetMs < 0) {
            throw new IllegalArgumentException("unchecked search request: rerankBudgetMs " + rerankBudgetMs);
        }
    }

    /** A request with the service's default re-rank budget. */
    public SearchRequest(
            String text, int k, int candidates, SearchFilters filters, boolean rerank, String modelVersion) {
        this(text, k, candidates, filters, rerank, modelVersion, null);
    }
}
