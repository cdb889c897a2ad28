package io.clip4stream.model.sampling;

import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * The frame positions CLIP4Clip's {@code RawVideoExtractorCV2.video_to_tensor} seeks to, in order.
 *
 * <p>The decoder's frame rate is truncated to an integer ({@code int(CAP_PROP_FPS)}: 29.97 → 29); the video lasts
 * {@code ceil(frameCount / fps)} seconds, and for every second {@code s} from the first to the last <em>inclusive</em>
 * the positions {@code s * fps + ind} are read, with {@code ind} in {@code range(0, fps, fps // featureFramerate)}
 * cut to {@code featureFramerate} entries (just 0 at the usual rate of 1). The original stops at the first failed
 * read, so a caller reads these positions in order and stops at the first one its decoder cannot deliver; the
 * position one second past the end is planned on purpose and normally fails.
 */
public final class FrameSchedule {

    private final int featureFramerate;

    /**
     * Creates a schedule sampling {@code featureFramerate} frames per second; 0 means every frame, as in the original.
     */
    public FrameSchedule(int featureFramerate) {
        if (featureFramerate < 0) {
            throw new IllegalArgumentException("featureFramerate must be >= 0, got " + featureFramerate);
        }
        this.featureFramerate = featureFramerate;
    }

    /** Returns the frames per second this schedule samples (0 = all). */
    public int featureFramerate() {
        return featureFramerate;
    }

    /** The whole video, as {@code get_video_data(path)} reads it. Positions are produced lazily. */
    public LongStream positions(long frameCount, double fps) {
        int wholeFps = truncatedFps(fps);
        checkFrameCount(frameCount);
        return positions(wholeFps, 0, duration(frameCount, wholeFps));
    }

    /**
     * The window {@code [startSecond, endSecond]}, as the ActivityNet and DiDeMo loaders call
     * {@code get_video_data(path, start_time, end_time)}; an end past the video's duration is clamped to it.
     */
    public LongStream positions(long frameCount, double fps, int startSecond, int endSecond) {
        int wholeFps = truncatedFps(fps);
        checkFrameCount(frameCount);
        if (startSecond < 0 || endSecond <= startSecond) {
            throw new IllegalArgumentException(
                    "window must satisfy 0 <= start < end, got [" + startSecond + ", " + endSecond + "]");
        }
        long duration = duration(frameCount, wholeFps);
        return positions(wholeFps, startSecond, Math.min(endSecond, duration));
    }

    /** Python's {@code int(fps)}, refusing rates the original would divide by zero on or choke on. */
    public static int truncatedFps(double fps) {
        if (!(fps >= 1.0) || fps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "frame rate " + fps + " truncates to less than 1 frame per second; CLIP4Clip cannot sample it");
        }
        return (int) fps;
    }

    private LongStream positions(int fps, long firstSecond, long lastSecond) {
        int[] offsets = offsetsWithinSecond(fps);
        return LongStream.rangeClosed(firstSecond, lastSecond)
                .flatMap(second -> IntStream.of(offsets).mapToLong(offset -> second * fps + offset));
    }

    private int[] offsetsWithinSecond(int fps) {
        int perSecond = featureFramerate == 0 ? fps : featureFramerate;
        int interval = featureFramerate == 0 ? 1 : Math.max(fps / featureFramerate, 1);
        int[] offsets = IntStream.iterate(0, i -> i < fps, i -> i + interval).toArray();
        if (offsets.length < perSecond) {
            // The original asserts here: it cannot take more distinct frames per second than the video has.
            throw new IllegalArgumentException(
                    "cannot sample " + perSecond + " frames per second from a " + fps + " fps video");
        }
        return Arrays.copyOf(offsets, perSecond);
    }

    /** {@code (frameCount + fps - 1) // fps}: whole seconds, rounded up. */
    private static long duration(long frameCount, int fps) {
        return (frameCount + fps - 1) / fps;
    }

    private static void checkFrameCount(long frameCount) {
        if (frameCount < 0) {
            throw new IllegalArgumentException("frame count must be >= 0, got " + frameCount);
        }
    }
}
