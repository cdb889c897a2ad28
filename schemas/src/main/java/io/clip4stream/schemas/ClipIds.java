package io.clip4stream.schemas;

/**
 * The one rule for clip ids, shared by the ingest service (which names a clip in its boundary) and the index service
 * (which names clips it indexes without a boundary: growing clips of live sources and clips closed by timeout), so
 * every path gives a clip the same id and a later version of the clip replaces the earlier one.
 */
public final class ClipIds {

    private ClipIds() {}

    /** The deterministic id of the clip whose window starts at {@code firstFrameIndex}: a replay mints the same id. */
    public static String of(String sourceId, long firstFrameIndex) {
        return sourceId + ":" + firstFrameIndex;
    }
}
