package io.clip4stream.index.aggregate;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelInfo;
import io.clip4stream.schemas.frames.FrameEncoding;
import java.util.List;
import java.util.Objects;

/**
 * Turns a clip's frame embeddings (in frame order) into its L2-normalised clip vector with the model's configured
 * head (meanP, seqLSTM or seqTransf); the math is the model's, this class only checks and adapts shapes.
 */
public final class ClipAggregator {

    private final Clip4ClipModel model;
    private final ModelInfo info;
    private final FrameEncoding frameEncoding;

    /**
     * An aggregator over {@code model}'s head, its clips' frames stored in the encoding its config.json names
     * (float32 when it names none); the caller keeps ownership of the model.
     *
     * @throws IllegalArgumentException when config.json names an unknown frame encoding
     */
    public ClipAggregator(Clip4ClipModel model) {
        this.model = Objects.requireNonNull(model, "model");
        this.info = model.info();
        try {
            this.frameEncoding =
                    model.card().frameEncoding().map(FrameEncoding::fromName).orElse(FrameEncoding.FLOAT32);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "model " + info.modelId() + " " + info.modelVersion() + ": config.json's frame_encoding: "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * The clip vector of {@code frames}, each of the model's embedding dimension.
     *
     * @throws IllegalArgumentException when there is no frame or a frame has the wrong dimension
     */
    public float[] aggregate(List<float[]> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a clip needs at least one frame embedding");
        }
        float[][] matrix = new float[frames.size()][];
        for (int i = 0; i < matrix.length; i++) {
            float[] frame = frames.get(i);
            if (frame.length != info.embedDim()) {
                throw new IllegalArgumentException("frame " + i + " has dimension " + frame.length + ", but model "
                        + info.modelId() + " " + info.modelVersion() + " expects " + info.embedDim());
            }
            matrix[i] = frame;
        }
        return model.aggregateClip(matrix);
    }

    /** The head's name as written in clip records: meanP, seqLSTM or seqTransf (meanP for a tightTransf model). */
    public String aggregation() {
        return info.head().isLoose() ? info.head().configName() : "meanP";
    }

    /** How this model version's clips store and send their frame embeddings. */
    public FrameEncoding frameEncoding() {
        return frameEncoding;
    }

    /** The dimension of frame embeddings and clip vectors. */
    public int dimension() {
        return info.embedDim();
    }

    /** The loaded model's version, the index's active model version unless configured otherwise. */
    public String modelVersion() {
        return info.modelVersion();
    }
}
