package io.clip4stream.index.bench;

import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.FrameEmbedding;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Writes the embedding stream of synthetic clips: consecutive, non-overlapping windows of one-second frames, each
 * window's frames followed by its boundary, as the encoder would publish them.
 *
 * @param framesPerClip frames in each clip
 * @param dimension frame embedding dimension (the model's)
 * @param modelId the model id frames carry
 * @param modelVersion the model version frames carry
 * @param tenant the tenant of every boundary
 * @param tags the tags of every boundary
 */
public record SyntheticClips(
        int framesPerClip, int dimension, String modelId, String modelVersion, String tenant, List<String> tags) {

    /** One second of source time per frame. */
    public static final long FRAME_MICROS = 1_000_000L;

    /** Validates the shape. */
    public SyntheticClips {
        if (framesPerClip < 1 || dimension < 1) {
            throw new IllegalArgumentException(
                    "framesPerClip and dimension must be positive; were " + framesPerClip + ", " + dimension);
        }
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(modelVersion, "modelVersion");
        Objects.requireNonNull(tenant, "tenant");
        tags = List.copyOf(tags);
    }

    /** The clip id of clip {@code clipIndex} of {@code sourceId}: source and first frame index. */
    public String clipId(String sourceId, long clipIndex) {
        return sourceId + ":" + clipIndex * framesPerClip;
    }

    /** The frames of clip {@code clipIndex} of {@code sourceId}, seeded by source and clip. */
    public List<EmbeddingStreamRecord> frames(String sourceId, long clipIndex) {
        SplittableRandom random = new SplittableRandom(sourceId.hashCode() * 31L + clipIndex);
        List<EmbeddingStreamRecord> records = new ArrayList<>(framesPerClip);
        long first = clipIndex * framesPerClip;
        for (int f = 0; f < framesPerClip; f++) {
            List<Float> embedding = new ArrayList<>(dimension);
            for (int i = 0; i < dimension; i++) {
                embedding.add((float) random.nextGaussian());
            }
            records.add(new EmbeddingStreamRecord(FrameEmbedding.newBuilder()
                    .setSourceId(sourceId)
                    .setClipIndex(clipIndex)
                    .setFrameIndex(first + f)
                    .setPresentationTimeMicros((first + f) * FRAME_MICROS)
                    .setModelId(modelId)
                    .setModelVersion(modelVersion)
                    .setEmbedding(embedding)
                    .build()));
        }
        return records;
    }

    /** The boundary closing clip {@code clipIndex} of {@code sourceId}. */
    public EmbeddingStreamRecord boundary(String sourceId, long clipIndex) {
        long first = clipIndex * framesPerClip;
        return new EmbeddingStreamRecord(ClipBoundary.newBuilder()
                .setSourceId(sourceId)
                .setClipIndex(clipIndex)
                .setClipId(clipId(sourceId, clipIndex))
                .setFirstFrameIndex(first)
                .setFrameCount(framesPerClip)
                .setStartTimeMicros(first * FRAME_MICROS)
                .setEndTimeMicros((first + framesPerClip) * FRAME_MICROS)
                .setThumbnailJpeg(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9}))
                .setTenant(tenant)
                .setTags(new ArrayList<>(tags))
                .build());
    }

    /** The end time of clip {@code clipIndex} (source time, microseconds). */
    public long endMicros(long clipIndex) {
        return (clipIndex + 1) * framesPerClip * FRAME_MICROS;
    }
}
