package io.clip4stream.ingest.run;

import io.clip4stream.ingest.decode.DecodeException;
import io.clip4stream.ingest.decode.DecodeSummary;
import io.clip4stream.ingest.decode.VideoDecoder;
import io.clip4stream.ingest.decode.VideoInput;
import io.clip4stream.ingest.plan.ClipCutter;
import io.clip4stream.ingest.plan.ClipWindow;
import io.clip4stream.ingest.plan.FrameSampler;
import io.clip4stream.model.preprocess.Orientation;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes and samples a video without Kafka and returns the plan ingest would follow: which frames are kept and how
 * they form clips ({@code clip4stream probe}).
 */
public final class Probe {
    private Probe() {}

    /**
     * The plan.
     *
     * @param durationMs duration decoded (last frame plus one frame), in milliseconds
     * @param frames presentation times of the sampled frames
     * @param clips the clips
     * @param truncated whether the input ended before its declared length
     * @param truncation why, when truncated
     * @param video the video stream as decoded
     */
    public record Plan(
            long durationMs, List<Frame> frames, List<Clip> clips, boolean truncated, String truncation, Video video) {}

    /**
     * The video stream.
     *
     * @param codec FFmpeg's codec name, e.g. {@code h264}
     * @param width width of the frames as shown (after the display matrix)
     * @param height height of the frames as shown
     * @param orientation how the decoded pictures are turned to be shown (the stream's display matrix)
     */
    public record Video(String codec, int width, int height, Orientation orientation) {}

    /**
     * A sampled frame.
     *
     * @param timestampMs presentation time relative to the first frame
     */
    public record Frame(long timestampMs) {}

    /**
     * A clip.
     *
     * @param index clip index
     * @param startMs first frame's time
     * @param endMs last frame's time plus one sampling interval
     * @param frameCount frames in the clip
     */
    public record Clip(long index, long startMs, long endMs, int frameCount) {}

    /** Plans {@code input} at {@code fps} with clips of {@code window} frames every {@code stride} frames. */
    public static Plan plan(VideoInput input, VideoDecoder.Options options, double fps, int window, int stride)
            throws DecodeException {
        FrameSampler sampler = new FrameSampler(fps);
        ClipCutter cutter = new ClipCutter(window, stride);
        List<Frame> frames = new ArrayList<>();
        List<Clip> clips = new ArrayList<>();
        DecodeSummary summary;
        Video video;
        try (VideoDecoder decoder = VideoDecoder.open(input, options)) {
            video = new Video(decoder.codec(), decoder.width(), decoder.height(), decoder.orientation());
            summary = decoder.decode(
                    sampler,
                    (micros, image) -> {
                        frames.add(new Frame(micros / 1000));
                        cutter.add(micros, sampler.intervalMicros()).forEach(c -> clips.add(clip(c)));
                    },
                    () -> false);
        }
        cutter.finish(sampler.intervalMicros()).forEach(c -> clips.add(clip(c)));
        return new Plan(
                summary.durationMicros() / 1000, frames, clips, summary.truncated(), summary.truncation(), video);
    }

    private static Clip clip(ClipWindow c) {
        return new Clip(c.clipIndex(), c.startMicros() / 1000, c.endMicros() / 1000, c.frameCount());
    }
}
