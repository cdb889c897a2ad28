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
 */
public record RunSettings(
        Preprocessing framePreparation, int thumbnailSize, VideoDecoder.Options decoder, Duration liveRetry) {
    /** Validates the settings. */
    public RunSettings {
        Objects.requireNonNull(framePreparation, "framePreparation");
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(liveRetry, "liveRetry");
    }
}
