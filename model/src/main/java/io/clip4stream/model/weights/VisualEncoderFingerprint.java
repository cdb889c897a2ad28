package io.clip4stream.model.weights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A hash of a model's CLIP visual encoder weights ({@code clip.visual.*}, names, shapes and float32 values), so that
 * "do two model versions share the visual encoder?" is decidable: when they do, a clip's stored frame embeddings are
 * valid for both, and only the head's aggregation differs.
 */
public final class VisualEncoderFingerprint {

    /** The CLIP4Clip name prefix of the visual encoder's tensors. */
    public static final String VISUAL_PREFIX = "clip.visual.";

    private static final String ALGORITHM = "SHA-256";

    private VisualEncoderFingerprint() {}

    /** The fingerprint of {@code checkpoint}'s visual encoder, {@code sha256:HEX}. */
    public static String of(Checkpoint checkpoint) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
        }
        int tensors = 0;
        // shapes() is in name order, so the hash does not depend on how the tensors are laid out in the files.
        for (Map.Entry<String, long[]> tensor : checkpoint.shapes().entrySet()) {
            if (!tensor.getKey().startsWith(VISUAL_PREFIX)) {
                continue;
            }
            tensors++;
            digest.update(tensor.getKey().getBytes(StandardCharsets.UTF_8));
            ByteBuffer shape = ByteBuffer.allocate(Long.BYTES * (tensor.getValue().length + 1))
                    .order(ByteOrder.LITTLE_ENDIAN);
            shape.putLong(tensor.getValue().length);
            for (long size : tensor.getValue()) {
                shape.putLong(size);
            }
            digest.update(shape.array());
            float[] values = checkpoint.floats(tensor.getKey());
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            digest.update(bytes.array());
        }
        if (tensors == 0) {
            throw new IllegalArgumentException(
                    "checkpoint " + checkpoint.source() + " has no visual encoder tensors (" + VISUAL_PREFIX + "*)");
        }
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    /** The fingerprint of the visual encoder of the model directory {@code modelDir}. */
    public static String of(Path modelDir) {
        try (Checkpoint checkpoint = ModelDirectory.open(modelDir).openCheckpoint()) {
            return of(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the weights of model directory " + modelDir, e);
        }
    }
}
