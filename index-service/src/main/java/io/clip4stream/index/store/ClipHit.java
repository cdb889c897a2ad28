package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
import java.util.Comparator;
import java.util.Objects;

/**
 * One k-NN result: the stored clip and its similarity to the query.
 *
 * @param clip the clip with its metadata and frame embeddings
 * @param score the dot product of the query and the clip vector (their cosine, as both are unit vectors)
 */
public record ClipHit(ClipVector clip, float score) {

    /** Best first: higher score, then clip id, so merged results are deterministic. */
    public static final Comparator<ClipHit> BEST_FIRST = Comparator.comparingDouble((ClipHit hit) -> -hit.score())
            .thenComparing(hit -> hit.clip().getClipId().toString());

    /** Validates the hit. */
    public ClipHit {
        Objects.requireNonNull(clip, "clip");
    }
}
