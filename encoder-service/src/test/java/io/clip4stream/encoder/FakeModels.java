package io.clip4stream.encoder;

import io.clip4stream.model.ModelInfo;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;
import java.util.ArrayList;
import java.util.List;

/** Models without weights for unit tests: each embeds a frame as {@code [tag, first normalised pixel, n, 1]}. */
final class FakeModels {

    private FakeModels() {}

    /** The info of a 2D-patch model {@code version} of width 4 taking {@code size}x{@code size} frames. */
    static ModelInfo info(String version, int size) {
        return new ModelInfo(
                "tiny", version, 4, size, 12, 32, SimilarityHead.MEAN_P, LinearPatch.TWO_D, false, false, 1f, "cpu");
    }

    /** A visual encoder whose vectors carry {@code tag} and each frame's first normalised pixel. */
    static EncoderModel.FrameEmbedder embedder(float tag, int frameFloats) {
        return (pixels, frames) -> {
            float[][] out = new float[frames][];
            for (int i = 0; i < frames; i++) {
                out[i] = new float[] {tag, pixels[i * frameFloats], frames, 1};
            }
            return out;
        };
    }

    /** An encoder model of {@code version} ({@code size}x{@code size} frames) with {@link #embedder}. */
    static EncoderModel model(String version, int size, float tag) {
        ModelInfo info = info(version, size);
        FrameEncoding encoding = new FrameEncoding(info);
        return new EncoderModel(encoding, info, embedder(tag, encoding.frameFloats()));
    }

    /** A loaded model for {@link EncoderModels}: fingerprint, tag, and whether it was closed. */
    static final class Visual implements EncoderModels.VisualModel {
        final ModelInfo info;
        final String fingerprint;
        final float tag;
        final List<String> events;
        boolean closed;

        Visual(ModelInfo info, String fingerprint, float tag, List<String> events) {
            this.info = info;
            this.fingerprint = fingerprint;
            this.tag = tag;
            this.events = events;
        }

        Visual(String version, String fingerprint, float tag) {
            this(FakeModels.info(version, 2), fingerprint, tag, new ArrayList<>());
        }

        @Override
        public ModelInfo info() {
            return info;
        }

        @Override
        public String visualFingerprint() {
            return fingerprint;
        }

        @Override
        public float[][] embedFrames(float[] pixels, int frames) {
            return embedder(tag, 3 * info.imageSize() * info.imageSize()).embedFrames(pixels, frames);
        }

        @Override
        public void close() {
            closed = true;
            events.add("closed " + info.modelVersion());
        }
    }
}
