package io.clip4stream.model.sampling;

/** CLIP4Clip's {@code --slice_framepos}: which frames to keep when a video yields more than {@code max_frames}. */
public enum SlicePosition {
    /** 0: the first {@code max_frames}. */
    HEAD,
    /** 1: the last {@code max_frames}. */
    TAIL,
    /** 2: {@code floor(linspace(0, n - 1, max_frames))}, evenly spread; the setting of every published recipe. */
    UNIFORM;

    /** Returns the value for CLIP4Clip's integer flag (0, 1 or 2). */
    public static SlicePosition fromFlag(int flag) {
        return switch (flag) {
            case 0 -> HEAD;
            case 1 -> TAIL;
            case 2 -> UNIFORM;
            default -> throw new IllegalArgumentException("slice_framepos must be 0, 1 or 2, got " + flag);
        };
    }
}
