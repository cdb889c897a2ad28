package io.clip4stream.ingest.run;

import io.clip4stream.ingest.decode.VideoDecoder;
import java.time.Duration;
import java.util.Objects;

/**
 * How a run samples and cuts, beyond what the request says.
 *
 * @param frameSize model input size S
 * @param thumbnailSize thumbnail side in pixels
 * @param decoder decoder options
 * @param liveRetry pause before reconnecting a live stream
 */
public record RunSettings(int frameSize, int thumbnailSize, VideoDecoder.Options decoder, Duration liveRetry) {
    /** Validates the settings. */
    public RunSettings {
        Objects.requireNonNull(decoder, "decoder");
        Objects.requireNonNull(liveRetry, "liveRetry");
    }
}
