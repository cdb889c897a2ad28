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
 * The encoder's data work around one model, without Kafka: accepted frames into the model's normalised input tensor,
 * and each output vector into the frame-embedding record of its frame, stamped with the model's id and version. Every
 * model the encoder serves has its own (a re-encode for another CLIP visual encoder may have another input size).
 */
public final class FrameEncoding {

    private final String modelId;
    private final String modelVersion;
    private final int imageSize;
    private final ClipNormalize normalize = new ClipNormalize();

    /** Encoding for {@code model}'s input size, id and version. */
    public FrameEncoding(ModelInfo model) {
        this(Objects.requireNonNull(model, "model").modelId(), model.modelVersion(), model.imageSize());
    }

    /** Encoding for frames of side {@code imageSize}, stamping {@code modelId} and {@code modelVersion}. */
    public FrameEncoding(String modelId, String modelVersion, int imageSize) {
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        this.modelVersion = Objects.requireNonNull(modelVersion, "modelVersion");
        if (imageSize <= 0) {
            throw new IllegalArgumentException("the image size must be positive; was " + imageSize);
        }
        this.imageSize = imageSize;
    }

    /** The model id stamped on frame embeddings. */
    public String modelId() {
        return modelId;
    }

    /** The model version stamped on frame embeddings. */
    public String modelVersion() {
        return modelVersion;
    }

    /** The side S of the square frames the model takes. */
    public int imageSize() {
        return imageSize;
    }

    /** Floats per frame in {@link #tensor}: 3 × S × S. */
    public int frameFloats() {
        return 3 * imageSize * imageSize;
    }

    /** The normalised pixels of {@code frames}, one after another (frames × 3 × S × S floats). */
    public float[] tensor(List<SampledFrame> frames) {
        int size = imageSize;
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
     * last encoded frame of the same source ({@link StaticSceneGate}). A re-encode frame's {@code reencodeFor} is
     * copied, so the index assembles it apart from the source's own stream.
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
                .setModelId(modelId)
                .setModelVersion(modelVersion)
                .setEmbedding(values)
                .setReused(reused)
                .setReencodeFor(frame.getReencodeFor())
                .build();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }
}
