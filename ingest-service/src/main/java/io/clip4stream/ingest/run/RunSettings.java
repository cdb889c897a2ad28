package io.clip4stream.ingest.run;

import io.clip4stream.ingest.decode.VideoDecoder;
import io.clip4stream.model.spec.Preprocessing;
import java.time.Duration;
import java.util.Objects;

/**
 * How a run samples and cuts, beyond what the request says.
 *
 * @param framePreparation how sampled frames are resized and cropped (the model's preprocessing)
 * @param thumbnailSize thumbnail side in pixels
 * @param decoder decoder options
 * @param liveRetry pause before reconnecting a live stream
 * @param liveCommitEveryFrames a live source also commits every this many frames of an open clip; 0: once per clip
 */
public record RunSettings(
        Preprocessing framePreparation,
        int thumbnailSize,
        VideoDecoder.Options decoder,
        Duration liveRetry,
        int liveCommitEveryFrames) {
    /** Validates the settings. */
    public RunSettings {
        Objects.requireNonNull(framePreparation, "framePreparation");
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(liveRetry, "liveRetry");
        if (liveCommitEveryFrames < 0) {
            throw new IllegalArgumentException("liveCommitEveryFrames must be >= 0; was " + liveCommitEveryFrames);
        }
    }

    /** Settings whose live sources commit once per clip. */
    public RunSettings(
            Preprocessing framePreparation, int thumbnailSize, VideoDecoder.Options decoder, Duration liveRetry) {
        this(framePreparation, thumbnailSize, decoder, liveRetry, 0);
    }
}
