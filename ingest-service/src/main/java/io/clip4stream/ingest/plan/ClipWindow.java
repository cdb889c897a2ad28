package io.clip4stream.ingest.plan;

import io.clip4stream.schemas.ClipIds;

/**
 * A completed clip: the sampled frames {@code [firstFrameIndex, firstFrameIndex + frameCount)} of one source.
 *
 * @param clipIndex index of the clip within its source, from 0
 * @param firstFrameIndex index of the clip's first sampled frame (the window start)
 * @param frameCount number of frames in the clip (the window, or fewer for the last clip of a source)
 * @param startMicros presentation time of the first frame
 * @param endMicros presentation time of the last frame plus one sampling interval
 * @param middleFrameIndex the frame whose thumbnail represents the clip
 */
public record ClipWindow(
        long clipIndex, long firstFrameIndex, int frameCount, long startMicros, long endMicros, long middleFrameIndex) {

    /** The deterministic clip id: source id and window start, so a replay never mints a different id. */
    public static String clipId(String sourceId, long firstFrameIndex) {
        return ClipIds.of(sourceId, firstFrameIndex);
    }
}
