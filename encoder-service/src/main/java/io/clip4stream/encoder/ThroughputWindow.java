package io.clip4stream.encoder;

import java.util.ArrayDeque;

/**
 * Frames per second over a sliding window: the frames recorded in the last {@code window} divided by the window (or
 * by the time since the start while it is shorter), so the rate falls to zero when work stops.
 *
 * <p>Pure: times are {@code System.nanoTime()}-style nanoseconds passed in; not thread-safe.
 */
public final class ThroughputWindow {

    private record Sample(long nanos, long frames) {}

    private final long windowNanos;
    private final long startNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private long framesInWindow;

    /** Creates a window of {@code windowNanos} starting at {@code startNanos}. */
    public ThroughputWindow(long windowNanos, long startNanos) {
        if (windowNanos <= 0) {
            throw new IllegalArgumentException("window must be positive, got " + windowNanos + " ns");
        }
        this.windowNanos = windowNanos;
        this.startNanos = startNanos;
    }

    /** Records {@code frames} finished at {@code nowNanos}. */
    public void record(long frames, long nowNanos) {
        samples.addLast(new Sample(nowNanos, frames));
        framesInWindow += frames;
        evict(nowNanos);
    }

    /** Frames per second over the window ending at {@code nowNanos}. */
    public double framesPerSecond(long nowNanos) {
        evict(nowNanos);
        long span = Math.min(windowNanos, nowNanos - startNanos);
        return span <= 0 ? 0 : framesInWindow * 1e9 / span;
    }

    private void evict(long nowNanos) {
        while (!samples.isEmpty() && samples.peekFirst().nanos() <= nowNanos - windowNanos) {
            framesInWindow -= samples.removeFirst().frames();
        }
    }
}
