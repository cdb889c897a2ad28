package io.clip4stream.index.http;

import io.clip4stream.index.store.ClipHit;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import io.clip4stream.schemas.frames.FrameEncoding;
import io.clip4stream.schemas.frames.PackedFrames;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The body answering {@code POST /v1/knn}.
 *
 * @param instance the answering instance's {@code host:port}
 * @param modelVersion the model version searched
 * @param partitions the shards (partitions) that answered, i.e. this instance's active ones
 * @param hits the best clips, best first
 * @param searchableUpTo per source of a hit or of the request's sourceIds: the newest visible clip end (micros)
 * @param tookMicros time spent searching
 * @param clipsPerModelVersion when no clip was found: how many clips this instance's shards hold under each model
 *     version, so the query service can say that the searched version holds none (null when there were hits)
 */
public record KnnResponse(
        String instance,
        String modelVersion,
        List<Integer> partitions,
        List<Hit> hits,
        Map<String, Long> searchableUpTo,
        long tookMicros,
        Map<String, Long> clipsPerModelVersion) {

    /**
     * One clip.
     *
     * @param clipId the clip
     * @param sourceId its source
     * @param clipIndex its index in the source
     * @param startTimeMicros its start (source time)
     * @param endTimeMicros its end (source time)
     * @param tenant its tenant
     * @param tags its tags
     * @param modelId the model that embedded it
     * @param modelVersion that model's version
     * @param aggregation the head that aggregated it (meanP, seqLSTM, seqTransf)
     * @param score the dot product of query and clip vector (cosine)
     * @param indexedAtMillis when it was indexed
     * @param thumbnailJpeg base64 JPEG, or null when not requested or absent
     * @param frameEmbeddings the frame embeddings as JSON numbers, or null when not requested or sent as
     *     {@code frameEmbeddingsF32le}
     * @param frameEmbeddingsF32le the frame embeddings as base64 of little-endian float32 values, frame after frame
     *     (asked for with {@link KnnRequest#F32LE_BASE64}; about 6x smaller and far cheaper to parse than numbers)
     * @param frameEmbeddingDim values per frame in {@code frameEmbeddingsF32le} (null when that is absent)
     * @param frameEmbeddingsPacked the frame embeddings as base64 of packed frames
     *     ({@code io.clip4stream.schemas.frames.PackedFrames}, self-describing) in the encoding the clip is stored in
     *     (asked for with {@link KnnRequest#PACKED_BASE64}; null otherwise)
     * @param provisional whether the clip is a live source's growing clip, indexed before it closed (its closed clip
     *     will replace it under the same id)
     */
    public record Hit(
            String clipId,
            String sourceId,
            long clipIndex,
            long startTimeMicros,
            long endTimeMicros,
            String tenant,
            List<String> tags,
            String modelId,
            String modelVersion,
            String aggregation,
            float score,
            long indexedAtMillis,
            String thumbnailJpeg,
            List<List<Float>> frameEmbeddings,
            String frameEmbeddingsF32le,
            Integer frameEmbeddingDim,
            String frameEmbeddingsPacked,
            boolean provisional) {

        /** The hit of {@code hit}, with or without its heavy parts; frames as JSON numbers. */
        public static Hit of(ClipHit hit, boolean withFrames, boolean withThumbnail) {
            return of(hit, withFrames, withThumbnail, false);
        }

        /** The hit of {@code hit}, with or without its heavy parts; frames as base64 float32 when {@code binary}. */
        public static Hit of(ClipHit hit, boolean withFrames, boolean withThumbnail, boolean binary) {
            return of(
                    hit,
                    withFrames,
                    withThumbnail,
                    binary ? KnnRequest.FrameWire.F32LE_BASE64 : KnnRequest.FrameWire.FLOATS);
        }

        /** The hit of {@code hit}, with or without its heavy parts; frames sent as {@code wire} says. */
        public static Hit of(ClipHit hit, boolean withFrames, boolean withThumbnail, KnnRequest.FrameWire wire) {
            boolean binary = wire == KnnRequest.FrameWire.F32LE_BASE64;
            boolean packed = withFrames && wire == KnnRequest.FrameWire.PACKED_BASE64;
            ClipVector clip = hit.clip();
            ByteBuffer thumbnail = clip.getThumbnailJpeg().asReadOnlyBuffer();
            float[][] frames = withFrames && binary ? ClipFrames.of(clip) : null;
            byte[] jpeg = new byte[thumbnail.remaining()];
            thumbnail.get(jpeg);
            return new Hit(
                    clip.getClipId().toString(),
                    clip.getSourceId().toString(),
                    clip.getClipIndex(),
                    clip.getStartTimeMicros(),
                    clip.getEndTimeMicros(),
                    clip.getTenant().toString(),
                    clip.getTags().stream().map(CharSequence::toString).toList(),
                    clip.getModelId().toString(),
                    clip.getModelVersion().toString(),
                    clip.getAggregation().toString(),
                    hit.score(),
                    clip.getIndexedAtMillis(),
                    withThumbnail && jpeg.length > 0 ? Base64.getEncoder().encodeToString(jpeg) : null,
                    withFrames && wire == KnnRequest.FrameWire.FLOATS ? ClipFrames.lists(clip) : null,
                    frames != null ? float32Base64(frames) : null,
                    frames != null ? dim(frames) : null,
                    packed ? packedBase64(clip) : null,
                    clip.getProvisional());
        }

        /** The clip's frames as base64 packed frames: the stored bytes when packed, float32 packed otherwise. */
        static String packedBase64(ClipVector clip) {
            ByteBuffer packed = ClipFrames.packed(clip);
            byte[] bytes;
            if (packed != null) {
                bytes = new byte[packed.remaining()];
                packed.get(bytes);
            } else {
                bytes = PackedFrames.pack(ClipFrames.of(clip), FrameEncoding.FLOAT32);
            }
            return Base64.getEncoder().encodeToString(bytes);
        }

        /** Values per frame of {@code frames} (0 without frames). */
        static Integer dim(float[][] frames) {
            return frames.length == 0 ? 0 : frames[0].length;
        }

        /** Frames row after row as little-endian float32, base64; every frame must have the same length. */
        static String float32Base64(float[][] frames) {
            int dim = dim(frames);
            ByteBuffer bytes =
                    ByteBuffer.allocate(frames.length * dim * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] frame : frames) {
                if (frame.length != dim) {
                    throw new IllegalStateException(
                            "frame embeddings of one clip differ in length: " + frame.length + " and " + dim);
                }
                for (float value : frame) {
                    bytes.putFloat(value);
                }
            }
            return Base64.getEncoder().encodeToString(bytes.array());
        }
    }
}
