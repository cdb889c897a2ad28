package io.clip4stream.app.cluster;

/** How many clips ingest cuts from a video, computed from the inputs alone so that a test never trusts the output. */
public final class ExpectedClips {
    private ExpectedClips() {}

    /**
     * Clips a video of {@code frames} frames at {@code videoFps} gives: the sampler keeps one frame per target time
     * k / {@code samplingFps} at or before the last frame's presentation time, and the cutter closes a clip every
     * {@code window} sampled frames plus a shorter last one for the rest.
     */
    public static int of(int frames, double videoFps, double samplingFps, int window) {
        if (frames < 1 || !(videoFps > 0) || !(samplingFps > 0) || window < 1) {
            throw new IllegalArgumentException("frames " + frames + ", video fps " + videoFps + ", sampling fps "
                    + samplingFps + ", window " + window + ": each must be positive");
        }
        double lastFrameSeconds = (frames - 1) / videoFps;
        int sampled = (int) Math.floor(lastFrameSeconds * samplingFps) + 1;
        return (sampled + window - 1) / window;
    }
}
