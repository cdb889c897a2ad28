package io.clip4stream.model.sampling;

import java.util.Arrays;
import java.util.Objects;

/**
 * CLIP4Clip's {@code _get_rawvideo} slicing: which of the {@code n} frames read are kept in the {@code max_frames}
 * slots of the video tensor, and the {@code video_mask} that marks the filled slots.
 */
public final class FrameSelection {

    private final int maxFrames;
    private final SlicePosition slicePosition;

    /** Creates a selection into {@code maxFrames} slots using {@code slicePosition} when there are too many frames. */
    public FrameSelection(int maxFrames, SlicePosition slicePosition) {
        if (maxFrames < 1) {
            throw new IllegalArgumentException("maxFrames must be >= 1, got " + maxFrames);
        }
        this.maxFrames = maxFrames;
        this.slicePosition = Objects.requireNonNull(slicePosition, "slicePosition");
    }

    /** Returns the number of frame slots T. */
    public int maxFrames() {
        return maxFrames;
    }

    /** Returns the indices (into the frames read, ascending) of the frames kept. */
    public int[] keptPositions(int framesRead) {
        if (framesRead < 0) {
            throw new IllegalArgumentException("framesRead must be >= 0, got " + framesRead);
        }
        int[] kept;
        if (framesRead <= maxFrames) {
            kept = new int[framesRead];
            for (int i = 0; i < framesRead; i++) {
                kept[i] = i;
            }
            return kept;
        }
        kept = new int[maxFrames];
        switch (slicePosition) {
            case HEAD -> {
                for (int i = 0; i < maxFrames; i++) {
                    kept[i] = i;
                }
            }
            case TAIL -> {
                for (int i = 0; i < maxFrames; i++) {
                    kept[i] = framesRead - maxFrames + i;
                }
            }
            case UNIFORM -> uniform(framesRead, kept);
        }
        return kept;
    }

    /** Returns the source frame indices kept, given the frame indices read in order. */
    public long[] keptFrames(long[] framesRead) {
        Objects.requireNonNull(framesRead, "framesRead");
        int[] positions = keptPositions(framesRead.length);
        long[] kept = new long[positions.length];
        for (int i = 0; i < positions.length; i++) {
            kept[i] = framesRead[positions[i]];
        }
        return kept;
    }

    /** Returns {@code video_mask}: 1 for each filled slot, then 0 up to {@code maxFrames}. */
    public int[] videoMask(int framesRead) {
        if (framesRead < 0) {
            throw new IllegalArgumentException("framesRead must be >= 0, got " + framesRead);
        }
        int[] mask = new int[maxFrames];
        Arrays.fill(mask, 0, Math.min(framesRead, maxFrames), 1);
        return mask;
    }

    /**
     * numpy's {@code linspace(0, n - 1, num=T, dtype=int)}: {@code floor(i * ((n - 1) / (T - 1)))} in float64, the
     * last entry set to {@code n - 1} exactly.
     */
    private static void uniform(int framesRead, int[] kept) {
        int slots = kept.length;
        if (slots == 1) {
            kept[0] = 0;
            return;
        }
        double step = (double) (framesRead - 1) / (slots - 1);
        for (int i = 0; i < slots; i++) {
            kept[i] = (int) Math.floor(i * step);
        }
        kept[slots - 1] = framesRead - 1;
    }
}
