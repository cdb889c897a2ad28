package io.clip4stream.query.fanout;

/**
 * Stored clips used as a query: one clip by id, or the clips of a source overlapping a time range.
 *
 * @param clipId the clip (null when a source range is meant)
 * @param sourceId the source (null when a clip id is meant)
 * @param fromMicros only clips ending after this source time (null: from the start)
 * @param toMicros only clips starting before this source time (null: to the end)
 */
public record ClipExample(String clipId, String sourceId, Long fromMicros, Long toMicros) {

    /** Requires exactly one of a clip id and a source id. */
    public ClipExample {
        if ((clipId == null) == (sourceId == null)) {
            throw new IllegalArgumentException("a clip example names either a clip id or a source id");
        }
    }

    /** The clip {@code clipId}. */
    public static ClipExample clip(String clipId) {
        return new ClipExample(clipId, null, null, null);
    }

    /** The clips of {@code sourceId} overlapping {@code [fromMicros, toMicros)} (either may be null). */
    public static ClipExample range(String sourceId, Long fromMicros, Long toMicros) {
        return new ClipExample(null, sourceId, fromMicros, toMicros);
    }

    /** How the example reads in answers, e.g. {@code clip cam-1:40} or {@code source cam-1 [0, 12000000)}. */
    public String label() {
        if (clipId != null) {
            return "clip " + clipId;
        }
        return "source " + sourceId + " [" + (fromMicros == null ? "start" : fromMicros) + ", "
                + (toMicros == null ? "end" : toMicros) + ")";
    }
}
