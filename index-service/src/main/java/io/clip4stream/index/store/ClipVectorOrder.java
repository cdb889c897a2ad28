package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
import java.util.Comparator;

/** Orders of stored clips that every store and view must agree on. */
public final class ClipVectorOrder {
    /** By source, then start time, then clip id: deterministic, and a source's clips in playback order. */
    public static final Comparator<ClipVector> EARLIEST_FIRST = Comparator.comparing(
                    (ClipVector clip) -> clip.getSourceId().toString())
            .thenComparingLong(ClipVector::getStartTimeMicros)
            .thenComparing(clip -> clip.getClipId().toString());

    private ClipVectorOrder() {}
}
