package io.clip4stream.encoder;

import io.clip4stream.model.ModelInfo;
import io.clip4stream.model.preprocess.ClipNormalize;
import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.SampledFrame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The encoder's data work around the model, without Kafka: accepted frames into the model's normalised input tensor,
 * and each output vector into the frame-embedding record of its frame.
 */
public final class FrameEncoding {

    private final ModelInfo model;
    private final ClipNormalize normalize = new ClipNormalize();

    /** Encoding for {@code model}'s input size, id and version. */
    public FrameEncoding(ModelInfo model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /** Floats per frame in {@link #tensor}: 3 × S × S. */
    public int frameFloats() {
        return 3 * model.imageSize() * model.imageSize();
    }

    /** The normalised pixels of {@code frames}, one after another (frames × 3 × S × S floats). */
    public float[] tensor(List<SampledFrame> frames) {
        int size = model.imageSize();
        int frameFloats = 3 * size * size;
        float[] out = new float[frames.size() * frameFloats];
        for (int i = 0; i < frames.size(); i++) {
            RgbImage image = new RgbImage(size, size, bytes(frames.get(i).getPixels()));
            normalize.normalizeInto(image, out, i * frameFloats);
        }
        return out;
    }

    /** The frame-embedding record of {@code frame} with its vector from the model. */
    public FrameEmbedding embedding(SampledFrame frame, float[] vector) {
        return embedding(frame, vector, false);
    }

    /**
     * The frame-embedding record of {@code frame} with {@code vector}: the model's, or when {@code reused} that of the
     * last encoded frame of the same source ({@link StaticSceneGate}).
     */
    public FrameEmbedding embedding(SampledFrame frame, float[] vector, boolean reused) {
        List<Float> values = new ArrayList<>(vector.length);
        for (float v : vector) {
            values.add(v);
        }
        return FrameEmbedding.newBuilder()
                .setSourceId(frame.getSourceId())
                .setClipIndex(frame.getClipIndex())
                .setFrameIndex(frame.getFrameIndex())
                .setPresentationTimeMicros(frame.getPresentationTimeMicros())
                .setModelId(model.modelId())
                .setModelVersion(model.modelVersion())
                .setEmbedding(values)
                .setReused(reused)
                .build();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
