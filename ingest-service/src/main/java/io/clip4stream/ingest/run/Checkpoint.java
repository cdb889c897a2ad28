package io.clip4stream.ingest.run;

import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;

/**
 * What of a source is already committed downstream: the frames and clips a resumed run must not produce again.
 *
 * @param state the committed state, or null when the source has no committed status
 * @param frames sampled frames committed (the next frame index)
 * @param clips clips committed (the next clip index)
 * @param lastClipEndMicros end time of the last committed clip
 */
public record Checkpoint(IngestState state, long frames, long clips, long lastClipEndMicros) {
    /** Nothing committed yet. */
    public static final Checkpoint NONE = new Checkpoint(null, 0, 0, 0);

    /** The checkpoint a committed status describes. */
    public static Checkpoint of(IngestStatus status) {
        if (status == null) {
            return NONE;
        }
        return new Checkpoint(
                status.getState(), status.getFramesSampled(), status.getClipsEmitted(), status.getLastClipEndMicros());
    }
}
