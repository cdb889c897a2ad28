package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Builds clip records with seeded random unit vectors for store tests. */
public final class TestClips {

    private TestClips() {}

    /** A random unit vector of {@code dimension}. */
    public static float[] unitVector(SplittableRandom random, int dimension) {
        float[] vector = new float[dimension];
        double norm = 0;
        for (int i = 0; i < dimension; i++) {
            vector[i] = (float) random.nextGaussian();
            norm += vector[i] * vector[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimension; i++) {
            vector[i] *= scale;
        }
        return vector;
    }

    /** A clip of {@code source} with the given attributes and two frame embeddings. */
    public static ClipVector clip(
            String source,
            long clipIndex,
            String modelVersion,
            String tenant,
            List<String> tags,
            long startMicros,
            long endMicros,
            float[] vector) {
        List<Float> boxed = boxed(vector);
        return ClipVector.newBuilder()
                .setClipId(source + ":" + clipIndex)
                .setSourceId(source)
                .setClipIndex(clipIndex)
                .setStartTimeMicros(startMicros)
                .setEndTimeMicros(endMicros)
                .setTenant(tenant)
                .setTags(new ArrayList<>(tags))
                .setThumbnailJpeg(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) clipIndex}))
                .setModelId("tiny")
                .setModelVersion(modelVersion)
                .setAggregation("meanP")
                .setVector(boxed)
                .setFrameEmbeddings(List.of(boxed, boxed))
                .setIndexedAtMillis(1_700_000_000_000L + clipIndex)
                .build();
    }

    /** The boxed values of {@code vector}. */
    public static List<Float> boxed(float[] vector) {
        List<Float> values = new ArrayList<>(vector.length);
        for (float value : vector) {
            values.add(value);
        }
        return values;
    }
}
