package io.clip4stream.ingest.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a source's sampled frames into clips of {@code window} frames starting every {@code stride} frames
 * ({@code stride <= window}, so overlap is allowed and no frame is left out).
 *
 * <p>Holds only the start times of the windows still open (at most {@code window / stride + 1}), so memory stays
 * constant however long the source runs. A cutter can start at any frame and clip index, which is how a resumed
 * live source continues after the last clip another instance completed.
 */
public final class ClipCutter {
    private final int window;
    private final int stride;
    private final long baseFrame;
    private final long baseClip;
    private final long[] windowStartMicros;
    private long nextFrame;
    private long lastMicros = -1;
    private long nextClipToClose;

    /** A cutter whose first frame and first clip both have index 0. */
    public ClipCutter(int window, int stride) {
        this(window, stride, 0, 0);
    }

    /** A cutter whose first frame has index {@code baseFrame} and whose first clip has index {@code baseClip}. */
    public ClipCutter(int window, int stride, long baseFrame, long baseClip) {
        if (window < 1) {
            throw new IllegalArgumentException("clip window must be at least 1 frame; was " + window);
        }
        if (stride < 1 || stride > window) {
            throw new IllegalArgumentException(
                    "clip stride must be between 1 and the window (" + window + "); was " + stride);
        }
        if (baseFrame < 0 || baseClip < 0) {
            throw new IllegalArgumentException("frame and clip bases must be >= 0");
        }
        this.window = window;
        this.stride = stride;
        this.baseFrame = baseFrame;
        this.baseClip = baseClip;
        this.windowStartMicros = new long[window / stride + 1];
        this.nextFrame = baseFrame;
        this.nextClipToClose = baseClip;
    }

    /** The index the next frame will get. */
    public long nextFrameIndex() {
        return nextFrame;
    }

    /** The index of the newest window that contains frame {@code frameIndex}. */
    public long clipIndexOf(long frameIndex) {
        return baseClip + (frameIndex - baseFrame) / stride;
    }

    /** First frame index of clip {@code clipIndex}. */
    public long windowStart(long clipIndex) {
        return baseFrame + (clipIndex - baseClip) * stride;
    }

    /** The middle frame of the window of clip {@code clipIndex}, the one a thumbnail is taken from. */
    public long middleFrame(long clipIndex, int frameCount) {
        return windowStart(clipIndex) + (frameCount - 1) / 2;
    }

    /**
     * Adds the next frame at {@code micros} and returns the clips it completes (none or one); the frame's index is
     * {@link #nextFrameIndex()} before the call.
     */
    public List<ClipWindow> add(long micros, long intervalMicros) {
        long index = nextFrame++;
        if ((index - baseFrame) % stride == 0) {
            windowStartMicros[slot(clipIndexOf(index))] = micros;
        }
        lastMicros = micros;
        List<ClipWindow> closed = new ArrayList<>(1);
        long start = windowStart(nextClipToClose);
        if (index == start + window - 1) {
            closed.add(new ClipWindow(
                    nextClipToClose,
                    start,
                    window,
                    windowStartMicros[slot(nextClipToClose)],
                    micros + intervalMicros,
                    middleFrame(nextClipToClose, window)));
            nextClipToClose++;
        }
        return closed;
    }

    /**
     * Ends the source: returns the last, shorter clip when some frames are in no completed clip yet, else nothing.
     */
    public List<ClipWindow> finish(long intervalMicros) {
        long firstUncovered = nextClipToClose == baseClip ? baseFrame : windowStart(nextClipToClose - 1) + window;
        if (nextFrame <= firstUncovered) {
            return List.of();
        }
        long start = windowStart(nextClipToClose);
        int count = (int) (nextFrame - start);
        ClipWindow last = new ClipWindow(
                nextClipToClose,
                start,
                count,
                windowStartMicros[slot(nextClipToClose)],
                lastMicros + intervalMicros,
                middleFrame(nextClipToClose, count));
        nextClipToClose++;
        return List.of(last);
    }

    /** Number of clips closed so far, counting from this cutter's first clip index. */
    public long clipsClosed() {
        return nextClipToClose - baseClip;
    }

    private int slot(long clipIndex) {
        return (int) Math.floorMod(clipIndex, (long) windowStartMicros.length);
    }
}
