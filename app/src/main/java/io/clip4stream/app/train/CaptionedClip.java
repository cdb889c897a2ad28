package io.clip4stream.app.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One clip of a video with the captions that describe it.
 *
 * @param id a stable name for the clip (the MSR-VTT video id, or {@code file:start-end})
 * @param video the video file
 * @param startSeconds the clip's start in the video's presentation time
 * @param endSeconds the clip's end (exclusive); {@link Double#POSITIVE_INFINITY} for the end of the video
 * @param captions one or more captions; training takes one per clip per epoch
 */
public record CaptionedClip(String id, Path video, double startSeconds, double endSeconds, List<String> captions) {

    /** Validates the times and copies the captions. */
    public CaptionedClip {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(video, "video");
        captions = List.copyOf(captions);
        if (captions.isEmpty()) {
            throw new IllegalArgumentException("clip " + id + " has no caption");
        }
        if (!(startSeconds >= 0) || !(endSeconds > startSeconds)) {
            throw new IllegalArgumentException(
                    "clip " + id + " has an invalid time range " + startSeconds + " to " + endSeconds + " s");
        }
    }
}
