package io.clip4stream.alert.match;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * An open or closed run of matching clips of one source for one standing query: one alert.
 *
 * @param alertId deterministic from query, source and {@code startMicros}
 * @param startMicros start of the first matching clip
 * @param endMicros end of the last matching clip
 * @param bestClipId the best-scoring clip so far
 * @param bestScore its score
 * @param threshold the threshold in force when the moment opened
 * @param clips matching clips merged so far
 * @param revision 0 when opened, one more per update
 * @param clipIndexedAtMillis when the newest merged clip was indexed
 */
public record Moment(
        String alertId,
        long startMicros,
        long endMicros,
        String bestClipId,
        double bestScore,
        double threshold,
        int clips,
        int revision,
        long clipIndexedAtMillis) {

    /** Validates. */
    public Moment {
        Objects.requireNonNull(alertId, "alertId");
        Objects.requireNonNull(bestClipId, "bestClipId");
    }

    /** The alert id of the moment of {@code queryId} on {@code sourceId} starting at {@code startMicros}. */
    public static String alertId(String queryId, String sourceId, long startMicros) {
        String name = queryId + '\u0000' + sourceId + '\u0000' + startMicros;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A moment opened by {@code clip}. */
    static Moment open(String queryId, String sourceId, ClipScore clip, double threshold) {
        return new Moment(
                alertId(queryId, sourceId, clip.startMicros()),
                clip.startMicros(),
                clip.endMicros(),
                clip.clipId(),
                clip.score(),
                threshold,
                1,
                0,
                clip.indexedAtMillis());
    }

    /** This moment with {@code clip} merged in. */
    Moment extend(ClipScore clip) {
        boolean better = clip.score() > bestScore;
        return new Moment(
                alertId,
                Math.min(startMicros, clip.startMicros()),
                Math.max(endMicros, clip.endMicros()),
                better ? clip.clipId() : bestClipId,
                better ? clip.score() : bestScore,
                threshold,
                clips + 1,
                revision + 1,
                Math.max(clipIndexedAtMillis, clip.indexedAtMillis()));
    }

    /** This moment, closed: one more revision. */
    Moment closing() {
        return new Moment(
                alertId,
                startMicros,
                endMicros,
                bestClipId,
                bestScore,
                threshold,
                clips,
                revision + 1,
                clipIndexedAtMillis);
    }
}
