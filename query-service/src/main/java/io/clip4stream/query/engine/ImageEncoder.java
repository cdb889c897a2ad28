package io.clip4stream.query.engine;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.preprocess.FramePreprocessor;
import io.clip4stream.model.preprocess.RgbImage;
import java.util.Objects;

/**
 * Encodes an example image as a one-frame clip: prepared exactly as ingest prepares frames ({@link FramePreprocessor}
 * with the model's recorded preprocessing), embedded by the visual tower, then aggregated by the active head over one
 * valid frame (meanP: the frame embedding; seqTransf: the head over one frame with its mask, as the original does for
 * a one-frame video), so the vector lives where the indexed clip vectors live.
 */
public final class ImageEncoder {
    private final Clip4ClipModel model;
    private final FramePreprocessor preprocessor;

    /** An encoder for {@code model}, preparing images as its {@code preprocessing()} records. */
    public ImageEncoder(Clip4ClipModel model) {
        this.model = Objects.requireNonNull(model, "model");
        this.preprocessor = new FramePreprocessor(model.preprocessing());
    }

    /** The unit clip vector of {@code image} as a one-frame clip. */
    public float[] encode(RgbImage image) {
        float[][] frames = model.embedFrames(preprocessor.preprocess(image), 1);
        return model.aggregateClip(frames);
    }
}
