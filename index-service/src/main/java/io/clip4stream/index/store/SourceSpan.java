package io.clip4stream.index.store;

/**
 * The clips a store holds for one source, as end times on the source's own timeline.
 *
 * @param sourceId the source
 * @param oldestEndMicros the smallest clip end time held
 * @param newestEndMicros the largest clip end time held
 */
public record SourceSpan(String sourceId, long oldestEndMicros, long newestEndMicros) {

    /** The span after adding a clip ending at {@code endMicros}. */
    public SourceSpan plus(long endMicros) {
        return new SourceSpan(sourceId, Math.min(oldestEndMicros, endMicros), Math.max(newestEndMicros, endMicros));
    }

    /** The span of a single clip ending at {@code endMicros}. */
    public static SourceSpan of(String sourceId, long endMicros) {
        return new SourceSpan(sourceId, endMicros, endMicros);
    }
}
