package io.clip4stream.encoder;

import io.clip4stream.model.ModelInfo;
import java.util.Objects;

/**
 * One model the encoder encodes frames with: how frames are prepared for it and stamped (its {@link FrameEncoding}),
 * what it is, and its visual encoder.
 *
 * @param encoding the frame preparation (input size) and the id and version stamped on its frame embeddings
 * @param info the loaded model behind it (for logs and checks)
 * @param embedder its CLIP visual encoder
 */
public record EncoderModel(FrameEncoding encoding, ModelInfo info, FrameEmbedder embedder) {

    /** A visual encoder: normalised pixels of {@code frames} frames in, one vector per frame out, in order. */
    @FunctionalInterface
    public interface FrameEmbedder {
        /** Embeds {@code frames} frames of {@code pixels} (frames × 3 × S × S floats). */
        float[][] embedFrames(float[] pixels, int frames);
    }

    /** Requires every part. */
    public EncoderModel {
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(info, "info");
        Objects.requireNonNull(embedder, "embedder");
    }

    /** The model version stamped on the frame embeddings it makes. */
    public String version() {
        return encoding.modelVersion();
    }
}
