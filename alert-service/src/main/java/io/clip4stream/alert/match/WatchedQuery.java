package io.clip4stream.alert.match;

import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * A standing query ready to score: its unit-length text vector and what it watches.
 *
 * @param queryId the query's id
 * @param text the query text (shown in alerts)
 * @param sourceIds sources watched; with {@code tags} both empty, every source
 * @param tags any source whose clips carry one of these is watched too
 * @param rule when a score is a match
 * @param cooldown after a moment closes, how long (media time) before the same source may open another
 * @param gap how long (media time) without a matching clip closes a moment
 * @param vector the unit-length text embedding, the first-stage query vector
 * @param rawVector the raw text embedding, the tight head's input
 */
public record WatchedQuery(
        String queryId,
        String text,
        Set<String> sourceIds,
        Set<String> tags,
        ThresholdRule rule,
        Duration cooldown,
        Duration gap,
        float[] vector,
        float[] rawVector) {

    /** A query whose raw embedding is its unit vector (no tight head reads it). */
    public WatchedQuery(
            String queryId,
            String text,
            Set<String> sourceIds,
            Set<String> tags,
            ThresholdRule rule,
            Duration cooldown,
            Duration gap,
            float[] vector) {
        this(queryId, text, sourceIds, tags, rule, cooldown, gap, vector, vector);
    }

    /** Validates and copies. */
    public WatchedQuery {
        Objects.requireNonNull(queryId, "queryId");
        Objects.requireNonNull(text, "text");
        sourceIds = Set.copyOf(sourceIds);
        tags = Set.copyOf(tags);
        Objects.requireNonNull(rule, "rule");
        if (cooldown.isNegative() || gap.isNegative()) {
            throw new IllegalArgumentException("cool-down and gap of " + queryId + " must not be negative");
        }
        vector = vector.clone();
        rawVector = rawVector.clone();
    }

    /** Whether this query watches clips of {@code sourceId} tagged {@code clipTags}. */
    public boolean watches(String sourceId, Collection<String> clipTags) {
        if (sourceIds.isEmpty() && tags.isEmpty()) {
            return true;
        }
        if (sourceIds.contains(sourceId)) {
            return true;
        }
        for (String tag : clipTags) {
            if (tags.contains(tag)) {
                return true;
            }
        }
        return false;
    }

    /** A unit-length copy of {@code raw} (the zero vector stays zero). */
    public static float[] unit(float[] raw) {
        double norm = 0;
        for (float v : raw) {
            norm += (double) v * v;
        }
        double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
        float[] unit = new float[raw.length];
        for (int d = 0; d < raw.length; d++) {
            unit[d] = (float) (raw[d] * scale);
        }
        return unit;
    }
}
