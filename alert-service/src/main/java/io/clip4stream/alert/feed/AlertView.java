package io.clip4stream.alert.feed;

import io.clip4stream.schemas.avro.Alert;

/**
 * An alert as the API, the page and webhooks show it.
 *
 * @param alertId deterministic id (query, source, moment start)
 * @param queryId the standing query
 * @param queryText its text
 * @param sourceId the source
 * @param startSeconds moment start (source time)
 * @param endSeconds moment end
 * @param bestClipId best clip, also the thumbnail: {@code /thumbnails/{bestClipId}}
 * @param bestScore its score
 * @param threshold threshold in force when the moment opened
 * @param clips clips merged
 * @param state OPEN or CLOSED
 * @param revision 0 when opened, one more per update
 * @param clipIndexedAtMillis when the moment's newest clip was indexed
 * @param updatedAtMillis when this revision was written
 * @param scoreKind which score {@code bestScore} is: {@code first-stage} or {@code fused} (the tight head's)
 */
public record AlertView(
        String alertId,
        String queryId,
        String queryText,
        String sourceId,
        double startSeconds,
        double endSeconds,
        String bestClipId,
        double bestScore,
        double threshold,
        int clips,
        String state,
        int revision,
        long clipIndexedAtMillis,
        long updatedAtMillis,
        String scoreKind) {

    /** The view of {@code alert}. */
    public static AlertView of(Alert alert) {
        return new AlertView(
                alert.getAlertId(),
                alert.getQueryId(),
                alert.getQueryText(),
                alert.getSourceId(),
                alert.getStartTimeMicros() / 1e6,
                alert.getEndTimeMicros() / 1e6,
                alert.getBestClipId(),
                alert.getBestScore(),
                alert.getThreshold(),
                alert.getClips(),
                alert.getState().name(),
                alert.getRevision(),
                alert.getClipIndexedAtMillis(),
                alert.getUpdatedAtMillis(),
                alert.getScoreKind());
    }
}
