package io.clip4stream.query.search;

/**
 * The bounds a search request must respect, from the service configuration.
 *
 * @param maxTextChars longest query text in characters
 * @param maxK most hits a request may ask for
 * @param maxCandidates most first-stage candidates a request may ask for
 * @param defaultCandidates candidates gathered when the request names none
 */
public record SearchLimits(int maxTextChars, int maxK, int maxCandidates, int defaultCandidates) {

    /** The largest re-rank budget a request may name, in milliseconds. */
    public static final int MAX_RERANK_BUDGET_MS = 600_000;

    /** The default number of hits returned. */
    public static final int DEFAULT_K = 10;

    /** Validates the limits against each other. */
    public SearchLimits {
        if (maxTextChars < 1
                || maxK < 1
                || maxCandidates < maxK
                || defaultCandidates < 1
                || defaultCandidates > maxCandidates) {
            throw new IllegalArgumentException("inconsistent search limits: text " + maxTextChars + ", k " + maxK
                    + ", candidates " + maxCandidates + ", default candidates " + defaultCandidates);
        }
    }

    /** Returns the default limits: 1,000 characters, k up to 100, up to 1,000 candidates, 50 by default. */
    public static SearchLimits defaults() {
        return new SearchLimits(1000, 100, 1000, 50);
    }

    /**
     * Builds a checked request; null {@code k}, {@code candidates} or {@code rerank} take their defaults.
     *
     * @throws InvalidSearchException naming the first thing wrong
     */
    public SearchRequest check(
            String text, Integer k, Integer candidates, SearchFilters filters, Boolean rerank, String modelVersion) {
        return check(text, k, candidates, filters, rerank, modelVersion, null);
    }

    /**
     * Builds a checked request with a re-rank budget in milliseconds (null: the service's default); null {@code k},
     * {@code candidates} or {@code rerank} take their defaults.
     *
     * @throws InvalidSearchException naming the first thing wrong
     */
    public SearchRequest check(
            String text,
            Integer k,
            Integer candidates,
            SearchFilters filters,
            Boolean rerank,
            String modelVersion,
            Integer rerankBudgetMs) {
        String stripped = text == null ? "" : text.strip();
        if (stripped.isEmpty()) {
            throw new InvalidSearchException("empty_text", "the query text is empty");
        }
        if (rerankBudgetMs != null && (rerankBudgetMs < 0 || rerankBudgetMs > MAX_RERANK_BUDGET_MS)) {
            throw new InvalidSearchException(
                    "invalid_rerankBudgetMs",
                    "rerankBudgetMs must be between 0 and " + MAX_RERANK_BUDGET_MS + "; was " + rerankBudgetMs);
        }
        SearchRequest request = checkBounds(stripped, k, candidates, filters, rerank, modelVersion);
        return new SearchRequest(
                request.text(),
                request.k(),
                request.candidates(),
                request.filters(),
                request.rerank(),
                request.modelVersion(),
                rerankBudgetMs);
    }

    /**
     * Builds a checked request for a query by example alone (no text, never re-ranked).
     *
     * @throws InvalidSearchException naming the first thing wrong
     */
    public SearchRequest checkExample(Integer k, Integer candidates, SearchFilters filters, String modelVersion) {
        return checkBounds("", k, candidates, filters, false, modelVersion);
    }

    private SearchRequest checkBounds(
            String stripped,
            Integer k,
            Integer candidates,
            SearchFilters filters,
            Boolean rerank,
            String modelVersion) {
        if (stripped.length() > maxTextChars) {
            throw new InvalidSearchException(
                    "text_too_long",
                    "the query text has " + stripped.length() + " characters; the limit is " + maxTextChars);
        }
        int hits = k == null ? DEFAULT_K : k;
        if (hits < 1 || hits > maxK) {
            throw new InvalidSearchException("invalid_k", "k must be between 1 and " + maxK + "; was " + hits);
        }
        int gathered = candidates == null ? Math.max(defaultCandidates, hits) : candidates;
        if (gathered < hits || gathered > maxCandidates) {
            throw new InvalidSearchException(
                    "invalid_candidates",
                    "candidates must be between k (" + hits + ") and " + maxCandidates + "; was " + gathered);
        }
        if (modelVersion != null && modelVersion.isBlank()) {
            throw new InvalidSearchException("unknown_model_version", "the model version is blank");
        }
        return new SearchRequest(
                stripped,
                hits,
                gathered,
                filters == null ? SearchFilters.NONE : filters,
                rerank == null || rerank,
                modelVersion);
    }
}
