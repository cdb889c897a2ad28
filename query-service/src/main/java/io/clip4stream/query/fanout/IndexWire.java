package io.clip4stream.query.fanout;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the index-service's interactive-query API, duplicated here on purpose: services never depend on each
 * other, so the query service keeps its own copy of the few records it exchanges. Unknown fields are ignored, so the
 * index may add fields without breaking queries.
 */
public final class IndexWire {
    /** {@code POST /knn} path on an index instance. */
    public static final String KNN_PATH = "/knn";

    /** {@code GET /sources} path on an index instance. */
    public static final String SOURCES_PATH = "/sources";

    /** {@code GET /metadata} path on an index instance. */
    public static final String METADATA_PATH = "/metadata";

    private IndexWire() {}

    /**
     * The body of {@code POST /knn}.
     *
     * @param vector the query vector (unit length)
     * @param k how many candidates
     * @param modelVersion the model version (null: the index's active one)
     * @param sourceIds only these sources (empty: all)
     * @param tenant only this tenant (null: any)
     * @param fromMicros only clips ending after this (null: no bound)
     * @param toMicros only clips starting before this (null: no bound)
     * @param tags only clips with every tag
     * @param frameEmbeddings whether to include frame embeddings
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KnnRequest(
            float[] vector,
            int k,
            String modelVersion,
            List<String> sourceIds,
            String tenant,
            Long fromMicros,
            Long toMicros,
            List<String> tags,
            boolean frameEmbeddings) {}

    /**
     * One candidate in a {@code /knn} answer.
     *
     * @param clipId the clip id
     * @param sourceId the source id
     * @param clipIndex the clip's index in its source
     * @param startMicros clip start (source time)
     * @param endMicros clip end (source time)
     * @param tenant the tenant
     * @param tags the tags
     * @param modelVersion the vector's model version
     * @param score the dot product with the query vector
     * @param frameEmbeddings the clip's frame embeddings (absent when not asked for)
     * @param thumbnailJpeg the thumbnail, base64 in JSON (absent when the index does not send it)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record KnnHit(
            String clipId,
            String sourceId,
            long clipIndex,
            long startMicros,
            long endMicros,
            String tenant,
            List<String> tags,
            String modelVersion,
            float score,
            float[][] frameEmbeddings,
            byte[] thumbnailJpeg) {}

    /**
     * The answer of {@code POST /knn}.
     *
     * @param hits best first
     * @param searchableUpTo per source id, newest visible clip end time (microseconds)
     * @param partitions the partitions the instance searched
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record KnnResponse(List<KnnHit> hits, Map<String, Long> searchableUpTo, List<Integer> partitions) {}

    /**
     * One instance in {@code GET /metadata}.
     *
     * @param url the instance's HTTP base URL
     * @param partitions the partitions it serves as active
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record InstanceInfo(String url, List<Integer> partitions) {}

    /**
     * The answer of {@code GET /metadata}.
     *
     * @param instances every live instance
     * @param partitions the number of partitions of the clip store
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Metadata(List<InstanceInfo> instances, int partitions) {}

    /**
     * The answer of {@code GET /sources}.
     *
     * @param searchableUpTo per source id, newest visible clip end time (microseconds)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SourcesResponse(Map<String, Long> searchableUpTo) {}
}
