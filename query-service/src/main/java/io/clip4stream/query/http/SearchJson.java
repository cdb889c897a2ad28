package io.clip4stream.query.http;

import java.util.List;

/** The JSON body of {@code POST /search}; absent fields take their defaults, unknown fields are refused. */
public final class SearchJson {
    private SearchJson() {}

    /**
     * A search request.
     *
     * @param text the query text
     * @param k hits to return (default 10)
     * @param candidates first-stage candidates N (default 50)
     * @param filters optional filters
     * @param rerank whether to re-rank with the tight head (default true)
     * @param modelVersion the model version (default: the loaded one)
     * @param image an example image, base64 (or a {@code data:} URL), searched as a one-frame clip
     * @param clip an example clip id, whose stored vector is searched (the clip itself is left out)
     * @param weight with text and an example: the text's share in [0, 1] (1: text only, 0: example only; default
     *     0.5)
     * @param excludeSource with a clip example: leave out every clip of its source
     * @param rerankBudgetMs milliseconds the tight re-rank may take (default: the service's); candidates that do not
     *     fit stay first-stage only and the answer is {@code partial}
     */
    public record Request(
            String text,
            Integer k,
            Integer candidates,
            Filters filters,
            Boolean rerank,
            String modelVersion,
            String image,
            String clip,
            Double weight,
            Boolean excludeSource,
            Integer rerankBudgetMs) {}

    /**
     * Search filters.
     *
     * @param sources source ids
     * @param tenant tenant
     * @param timeRange time range of source time
     * @param tags required tags
     */
    public record Filters(List<String> sources, String tenant, TimeRange timeRange, List<String> tags) {}

    /**
     * A time range in microseconds of source time; clips overlapping {@code [fromMicros, toMicros)} match.
     *
     * @param fromMicros lower bound or null
     * @param toMicros upper bound (exclusive) or null
     */
    public record TimeRange(Long fromMicros, Long toMicros) {}
}
