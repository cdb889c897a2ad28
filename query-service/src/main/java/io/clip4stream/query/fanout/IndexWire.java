package io.clip4stream.query.fanout;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the index-service's interactive-query API ({@code io.clip4stream.index.http}), duplicated here on
 * purpose: services never depend on each other, so the query service keeps its own copy of the few records it
 * exchanges. Unknown fields are ignored, so the index may add fields without breaking queries.
 */
public final class IndexWire {
    /** {@code POST /v1/knn}: k-NN with filters over the instance's active shards. */
    public static final String KNN_PATH = "/v1/knn";

    /** {@code POST /v1/frames}: the frame embeddings of named clips (the second phase of a two-phase gather). */
    public static final String FRAMES_PATH = "/v1/frames";

    /** {@code GET /v1/searchable-up-to}: per source, the newest clip end visible to queries. */
    public static final String SEARCHABLE_UP_TO_PATH = "/v1/searchable-up-to";

    /** {@code GET /v1/shards}: which instance holds which shards. */
    public static final String SHARDS_PATH = "/v1/shards";

    /** {@code GET /v1/clips}: a clip's stored versions, or a source's clips in a time range, with their vectors. */
    public static final String CLIPS_PATH = "/v1/clips";

    /** {@code frameEmbeddingEncoding} asking for frame embeddings as base64 of little-endian float32 values. */
    public static final String F32LE_BASE64 = "f32le-base64";

    /**
     * {@code frameEmbeddingEncoding} asking for frame embeddings as stored: base64 of
     * {@code io.clip4stream.schemas.frames.PackedFrames} (float32, float16, int10 or int8, self-describing).
     */
    public static final String PACKED_BASE64 = "packed-base64";

    private IndexWire() {}

    /** Frames row after row as little-endian float32 bytes (JSON writes them as base64); all rows equally long. */
    public static byte[] float32le(float[][] frames) {
        int dim = frames.length == 0 ? 0 : frames[0].length;
        ByteBuffer bytes =
                ByteBuffer.allocate(frames.length * dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = bytes.asFloatBuffer();
        for (float[] frame : frames) {
            if (frame.length != dim) {
                throw new IllegalArgumentException("frames differ in length: " + frame.length + " and " + dim);
            }
            floats.put(frame);
        }
        return bytes.array();
    }

    /** The frames of {@link #float32le}'s bytes, {@code dim} values each. */
    public static float[][] frames(byte[] float32le, int dim) {
        if (dim <= 0 || float32le.length % (dim * Float.BYTES) != 0) {
            throw new IllegalArgumentException(
                    float32le.length + " bytes are not whole frames of " + dim + " float32 values");
        }
        FloatBuffer floats =
                ByteBuffer.wrap(float32le).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[][] frames = new float[float32le.length / (dim * Float.BYTES)][dim];
        for (float[] frame : frames) {
            floats.get(frame);
        }
        return frames;
    }

    /**
     * The body of {@code POST /v1/knn}.
     *
     * @param vector the query vector (unit length)
     * @param k how many candidates (the index allows 1..1000)
     * @param modelVersion the model version (null: the index's active one)
     * @param sourceIds only these sources (empty: all)
     * @param tenant only this tenant (null: any)
     * @param fromMicros only clips ending after this (null: no bound)
     * @param toMicros only clips starting before this (null: no bound)
     * @param tags only clips with every tag
     * @param includeFrameEmbeddings whether hits carry frame embeddings
     * @param includeThumbnails whether hits carry their JPEG thumbnail
     * @param frameEmbeddingEncoding {@link #PACKED_BASE64} for frames as stored, {@link #F32LE_BASE64} for base64
     *     float32 frames, null for JSON numbers
     * @param excludeClipIds clips never returned (null: none; older index-services refuse the field, so it is only
     *     sent by searches by example)
     * @param excludeSourceIds sources never returned (null: none)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record KnnRequest(
            float[] vector,
            Integer k,
            String modelVersion,
            List<String> sourceIds,
            String tenant,
            Long fromMicros,
            Long toMicros,
            List<String> tags,
            Boolean includeFrameEmbeddings,
            Boolean includeThumbnails,
            String frameEmbeddingEncoding,
            List<String> excludeClipIds,
            List<String> excludeSourceIds) {}

    /**
     * One candidate in a {@code /v1/knn} answer.
     *
     * @param clipId the clip id
     * @param sourceId the source id
     * @param clipIndex the clip's index in its source
     * @param startTimeMicros clip start (source time)
     * @param endTimeMicros clip end (source time)
     * @param tenant the tenant
     * @param tags the tags
     * @param modelVersion the vector's model version
     * @param score the dot product with the query vector
     * @param thumbnailJpeg the thumbnail (base64 in JSON; null when absent or not asked for)
     * @param frameEmbeddings the clip's frame embeddings as JSON numbers (null when not asked for, or sent as bytes)
     * @param frameEmbeddingsF32le the frame embeddings as little-endian float32 (base64 in JSON), when asked for with
     *     {@link #F32LE_BASE64} from an index that knows it
     * @param frameEmbeddingDim values per frame in {@code frameEmbeddingsF32le}
     * @param frameEmbeddingsPacked the frame embeddings as packed frames (base64 in JSON), when asked for with
     *     {@link #PACKED_BASE64}
     * @param provisional true for a live source's growing clip indexed before it closed (null from an index that
     *     predates the field: a closed clip)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record KnnHit(
            String clipId,
            String sourceId,
            long clipIndex,
            long startTimeMicros,
            long endTimeMicros,
            String tenant,
            List<String> tags,
            String modelVersion,
            float score,
            byte[] thumbnailJpeg,
            float[][] frameEmbeddings,
            byte[] frameEmbeddingsF32le,
            Integer frameEmbeddingDim,
            byte[] frameEmbeddingsPacked,
            Boolean provisional) {

        /** A hit of a closed clip. */
        public KnnHit(
                String clipId,
                String sourceId,
                long clipIndex,
                long startTimeMicros,
                long endTimeMicros,
                String tenant,
                List<String> tags,
                String modelVersion,
                float score,
                byte[] thumbnailJpeg,
                float[][] frameEmbeddings,
                byte[] frameEmbeddingsF32le,
                Integer frameEmbeddingDim) {
            this(
                    clipId,
                    sourceId,
                    clipIndex,
                    startTimeMicros,
                    endTimeMicros,
                    tenant,
                    tags,
                    modelVersion,
                    score,
                    thumbnailJpeg,
                    frameEmbeddings,
                    frameEmbeddingsF32le,
                    frameEmbeddingDim,
                    null,
                    null);
        }
    }

    /**
     * The answer of {@code POST /v1/knn}.
     *
     * @param instance the answering instance's {@code host:port}
     * @param modelVersion the model version searched
     * @param partitions the shards that answered
     * @param hits best first
     * @param searchableUpTo per source (of a hit or of the request's sources), newest visible clip end (micros)
     * @param tookMicros time the instance spent searching
     * @param clipsPerModelVersion when it found nothing: the clips its shards hold per model version (null otherwise,
     *     or from an index that predates the field)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record KnnResponse(
            String instance,
            String modelVersion,
            List<Integer> partitions,
            List<KnnHit> hits,
            Map<String, Long> searchableUpTo,
            long tookMicros,
            Map<String, Long> clipsPerModelVersion) {}

    /**
     * One stored clip in a {@code GET /v1/clips} answer.
     *
     * @param clipId the clip id
     * @param sourceId the source id
     * @param clipIndex the clip's index in its source
     * @param startTimeMicros clip start (source time)
     * @param endTimeMicros clip end (source time)
     * @param tenant the tenant
     * @param tags the tags
     * @param modelVersion the model version that made the vector
     * @param vector the clip's unit vector
     * @param thumbnailJpeg the clip's JPEG thumbnail (base64 in JSON), sent for a lookup by clip id; null otherwise,
     *     when the clip has none, or from an index-service that predates the field
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StoredClip(
            String clipId,
            String sourceId,
            long clipIndex,
            long startTimeMicros,
            long endTimeMicros,
            String tenant,
            List<String> tags,
            String modelVersion,
            float[] vector,
            byte[] thumbnailJpeg) {}

    /**
     * The answer of {@code GET /v1/clips}.
     *
     * @param instance the answering instance's {@code host:port}
     * @param partitions its active shards
     * @param clips the clips it holds
     * @param truncated whether a time range held more clips than the instance returns
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Clips(String instance, List<Integer> partitions, List<StoredClip> clips, boolean truncated) {}

    /**
     * One instance in {@code GET /v1/shards}.
     *
     * @param host its advertised host
     * @param port its HTTP port
     * @param activePartitions shards it answers queries for
     * @param standbyPartitions shards it keeps as warm standbys
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ShardInstance(
            String host, int port, List<Integer> activePartitions, List<Integer> standbyPartitions) {}

    /**
     * The answer of {@code GET /v1/shards}.
     *
     * @param self the answering instance's {@code host:port}
     * @param applicationId the Kafka Streams application id
     * @param state the Kafka Streams state
     * @param partitions the number of shards
     * @param instances every instance with its shards
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ShardMap(
            String self, String applicationId, String state, int partitions, List<ShardInstance> instances) {}

    /**
     * The answer of {@code GET /v1/searchable-up-to}.
     *
     * @param instance the answering instance's {@code host:port}
     * @param partitions its active shards
     * @param sources per source id, newest visible clip end time (microseconds)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SearchableUpTo(String instance, List<Integer> partitions, Map<String, Long> sources) {}

    /**
     * The body of {@code POST /v1/frames}.
     *
     * @param clipIds the clips whose frame embeddings to return
     * @param modelVersion the model version (null: the index's active one)
     * @param frameEmbeddingEncoding {@link #PACKED_BASE64}, {@link #F32LE_BASE64}, or null for JSON numbers
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FramesRequest(List<String> clipIds, String modelVersion, String frameEmbeddingEncoding) {}

    /**
     * One clip in a {@code /v1/frames} answer.
     *
     * @param clipId the clip id
     * @param modelVersion the model version of its embeddings
     * @param frameEmbeddings as JSON numbers (null when sent as bytes)
     * @param frameEmbeddingsF32le as little-endian float32 (base64 in JSON)
     * @param frameEmbeddingDim values per frame in {@code frameEmbeddingsF32le}
     * @param frameEmbeddingsPacked as packed frames (base64 in JSON), when asked for with {@link #PACKED_BASE64}
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FrameClip(
            String clipId,
            String modelVersion,
            float[][] frameEmbeddings,
            byte[] frameEmbeddingsF32le,
            Integer frameEmbeddingDim,
            byte[] frameEmbeddingsPacked) {}

    /**
     * The answer of {@code POST /v1/frames}.
     *
     * @param instance the answering instance's {@code host:port}
     * @param modelVersion the model version looked up
     * @param partitions its active shards
     * @param clips the clips asked for that it holds (others are left out)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Frames(String instance, String modelVersion, List<Integer> partitions, List<FrameClip> clips) {}
}
