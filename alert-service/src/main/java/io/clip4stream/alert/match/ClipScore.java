package io.clip4stream.alert.match;

import java.util.Objects;

/**
 * One clip's score for one standing query.
 *
 * @param clipId the clip
 * @param startMicros clip start (media time of its source)
 * @param endMicros clip end
 * @param score first-stage cosine with the query
 * @param indexedAtMillis when the index service indexed the clip
 */
public record ClipScore(String clipId, long startMicros, long endMicros, double score, long indexedAtMillis) {
    /** Validates the clip's span. */
    public ClipScore {
        Objects.requireNonNull(clipId, "clipId");
        if (endMicros < startMicros) {
            throw new IllegalArgumentException("clip " + clipId + " ends before it starts");
        }
    }
}
