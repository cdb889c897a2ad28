package io.clip4stream.ingest.plan;

/**
 * Picks frames at a fixed rate on presentation time relative to the first decoded frame: for every target time
 * {@code k / fps} the first frame at or after it is kept, and a frame that jumps over several targets is kept once.
 *
 * <p>Not thread-safe; one sampler per decoding loop.
 */
public final class FrameSampler {
    private final double fps;
    private long nextTarget;

    /** A sampler keeping {@code fps} frames per second of presentation time. */
    public FrameSampler(double fps) {
        if (!(fps > 0) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException(
                    "sampling rate must be a positive number of frames per second; was " + fps);
        }
        this.fps = fps;
    }

    /** The sampling rate in frames per second. */
    public double fps() {
        return fps;
    }

    /** The sampling interval in microseconds, rounded. */
    public long intervalMicros() {
        return Math.round(1_000_000.0 / fps);
    }

    /** Presentation time of the k-th target, in microseconds. */
    public long targetMicros(long k) {
        return (long) Math.ceil(k * 1_000_000.0 / fps);
    }

    /** Whether the frame at {@code relativeMicros} is kept; advances past every target it covers when it is. */
    public boolean accept(long relativeMicros) {
        if (relativeMicros < targetMicros(nextTarget)) {
            return false;
        }
        // The next target is the first one strictly after this frame, so a gap yields one frame, not duplicates.
        nextTarget = (long) Math.floor(relativeMicros * fps / 1_000_000.0) + 1;
        while (targetMicros(nextTarget) <= relativeMicros) {
            nextTarget++;
        }
        return true;
    }

    /** Whether a frame at {@code relativeMicros} would be kept, without advancing. */
    public boolean due(long relativeMicros) {
        return relativeMicros >= targetMicros(nextTarget);
    }

    /**
     * Whether a frame expected at {@code predictedMicros} is close enough to the next target (within
     * {@code frameMicros}) that it should be converted to pixels; lets the decoder skip colour conversion of frames
     * that will not be kept.
     */
    public boolean mayAccept(long predictedMicros, long frameMicros) {
        if (frameMicros <= 0) {
            return true;
        }
        return predictedMicros + frameMicros >= targetMicros(nextTarget);
    }
}
