package io.clip4stream.index.http;

import io.clip4stream.runtime.http.ApiException;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The body of {@code POST /v1/frames}: the second phase of a two-phase gather, where the query service asks only for
 * the frame embeddings of the few candidates it will re-rank (the first phase, {@code /v1/knn} with {@code
 * includeFrameEmbeddings: false}, returned ids and scores).
 *
 * @param clipIds the clips whose frame embeddings to return, 1 to {@link KnnRequest#MAX_K}; ids this instance does not
 *     hold are left out of the answer
 * @param modelVersion the model version of the clip vectors (null: the active one)
 * @param frameEmbeddingEncoding {@link KnnRequest#FLOATS} (the default), {@link KnnRequest#F32LE_BASE64} or
 *     {@link KnnRequest#PACKED_BASE64}
 */
public record FramesRequest(List<String> clipIds, String modelVersion, String frameEmbeddingEncoding) {

    /** The distinct clip ids asked for, in order, validated. */
    public List<String> resolvedClipIds() {
        if (clipIds == null || clipIds.isEmpty()) {
            throw ApiException.badRequest("missing_clip_ids", "clipIds is required and must not be empty");
        }
        if (clipIds.size() > KnnRequest.MAX_K) {
            throw ApiException.badRequest(
                    "too_many_clip_ids",
                    "at most " + KnnRequest.MAX_K + " clip ids per request; got " + clipIds.size());
        }
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (String id : clipIds) {
            if (id == null || id.isBlank()) {
                throw ApiException.badRequest("invalid_clip_id", "clipIds holds a blank id");
            }
            ids.add(id);
        }
        return List.copyOf(ids);
    }

    /** The model version, {@code activeModelVersion} when the request names none. */
    public String resolvedModelVersion(String activeModelVersion) {
        return modelVersion == null || modelVersion.isBlank() ? activeModelVersion : modelVersion;
    }

    /** Whether frames travel as base64 float32; other names than the three encodings are a 400. */
    public boolean binaryFrameEmbeddings() {
        return frameWire() == KnnRequest.FrameWire.F32LE_BASE64;
    }

    /** How frames travel; other names than the three encodings are a 400. */
    public KnnRequest.FrameWire frameWire() {
        return new KnnRequest(
                        null, null, null, null, null, null, null, null, null, null, frameEmbeddingEncoding, null, null)
                .frameWire();
    }
}
