package io.clip4stream.index.http;

import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.runtime.http.ApiException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The body of {@code POST /v1/knn}; absent fields take their defaults.
 *
 * @param vector the query vector (a unit vector of the model's dimension, e.g. a text embedding); required
 * @param k how many clips to return, 1 to {@link #MAX_K}; default {@link #DEFAULT_K}
 * @param modelVersion the model version whose vectors to search; default the active one
 * @param sourceIds only clips of these sources
 * @param tenant only clips of this tenant
 * @param fromMicros only clips ending after this source time
 * @param toMicros only clips starting before this source time
 * @param tags only clips with all of these tags
 * @param includeFrameEmbeddings whether hits carry their frame embeddings (for re-ranking); default true
 * @param includeThumbnails whether hits carry their JPEG thumbnail (base64); default true
 * @param frameEmbeddingEncoding how frame embeddings travel: {@link #FLOATS} (JSON numbers, the default, what older
 *     clients get) or {@link #F32LE_BASE64} (base64 of little-endian float32, in {@code frameEmbeddingsF32le})
 * @param excludeClipIds clips never returned (a search by example leaves its own clips out)
 * @param excludeSourceIds sources whose clips are never returned
 */
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
        List<String> excludeSourceIds) {

    /** Frame embeddings as JSON arrays of numbers. */
    public static final String FLOATS = "floats";

    /** Frame embeddings as base64 of little-endian float32 values. */
    public static final String F32LE_BASE64 = "f32le-base64";

    /**
     * Frame embeddings as base64 of {@code io.clip4stream.schemas.frames.PackedFrames}, in the encoding the clip is
     * stored in (float16 or int8 as the model version chooses, float32 otherwise): the compact form, sent as stored.
     */
    public static final String PACKED_BASE64 = "packed-base64";

    /** How frame embeddings travel in an answer. */
    public enum FrameWire {
        /** JSON arrays of numbers. */
        FLOATS,
        /** Base64 little-endian float32. */
        F32LE_BASE64,
        /** Base64 packed frames, as stored. */
        PACKED_BASE64
    }

    /** Default number of hits. */
    public static final int DEFAULT_K = 10;

    /** Largest number of hits one query may ask for. */
    public static final int MAX_K = 1000;

    /** The number of hits asked for, validated. */
    public int resolvedK() {
        int value = k == null ? DEFAULT_K : k;
        if (value < 1 || value > MAX_K) {
            throw ApiException.badRequest("invalid_k", "k must be between 1 and " + MAX_K + "; was " + value);
        }
        return value;
    }

    /** The query vector, validated. */
    public float[] resolvedVector() {
        if (vector == null || vector.length == 0) {
            throw ApiException.badRequest("missing_vector", "vector is required and must not be empty");
        }
        for (float value : vector) {
            if (!Float.isFinite(value)) {
                throw ApiException.badRequest("invalid_vector", "vector holds a non-finite value");
            }
        }
        return vector;
    }

    /** The filter, with {@code activeModelVersion} when the request names none. */
    public ClipFilter filter(String activeModelVersion) {
        String version = modelVersion == null || modelVersion.isBlank() ? activeModelVersion : modelVersion;
        if (fromMicros != null && toMicros != null && fromMicros >= toMicros) {
            throw ApiException.badRequest(
                    "invalid_time_range", "fromMicros (" + fromMicros + ") must be < toMicros (" + toMicros + ")");
        }
        if (fromMicros != null && fromMicros == Long.MAX_VALUE || toMicros != null && toMicros == Long.MIN_VALUE) {
            throw ApiException.badRequest("invalid_time_range", "the time range is empty");
        }
        return new ClipFilter(
                version,
                sourceIds == null ? Set.of() : Set.copyOf(sourceIds),
                Optional.ofNullable(tenant),
                Optional.ofNullable(fromMicros),
                Optional.ofNullable(toMicros),
                tags == null ? Set.of() : Set.copyOf(tags));
    }

    /** The clips to leave out (never null). */
    public Set<String> excludedClipIds() {
        return excludeClipIds == null ? Set.of() : Set.copyOf(excludeClipIds);
    }

    /** The sources to leave out (never null). */
    public Set<String> excludedSourceIds() {
        return excludeSourceIds == null ? Set.of() : Set.copyOf(excludeSourceIds);
    }

    /** Whether to include frame embeddings. */
    public boolean frameEmbeddingsIncluded() {
        return includeFrameEmbeddings == null || includeFrameEmbeddings;
    }

    /** Whether frame embeddings travel as base64 float32 rather than JSON numbers; other names are a 400. */
    public boolean binaryFrameEmbeddings() {
        return frameWire() == FrameWire.F32LE_BASE64;
    }

    /** How frame embeddings travel; names other than the three are a 400. */
    public FrameWire frameWire() {
        if (frameEmbeddingEncoding == null || frameEmbeddingEncoding.equals(FLOATS)) {
            return FrameWire.FLOATS;
        }
        if (frameEmbeddingEncoding.equals(F32LE_BASE64)) {
            return FrameWire.F32LE_BASE64;
        }
        if (frameEmbeddingEncoding.equals(PACKED_BASE64)) {
            return FrameWire.PACKED_BASE64;
        }
        throw ApiException.badRequest(
                "invalid_frame_embedding_encoding",
                "frameEmbeddingEncoding must be " + FLOATS + ", " + F32LE_BASE64 + " or " + PACKED_BASE64 + "; was "
                        + frameEmbeddingEncoding);
    }

    /** Whether to include thumbnails. */
    public boolean thumbnailsIncluded() {
        return includeThumbnails == null || includeThumbnails;
    }
}
