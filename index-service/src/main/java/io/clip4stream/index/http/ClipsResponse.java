package io.clip4stream.index.http;

import io.clip4stream.schemas.avro.ClipVector;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The answer of {@code GET /v1/clips}: stored clips with their vectors (no frames; the thumbnail only when asked by
 * clip id, so that a time range's answer stays small).
 *
 * @param instance the answering instance's {@code host:port}
 * @param partitions its active shards
 * @param clips the clips found on this instance
 * @param truncated whether a time range held more clips than {@link IndexRoutes#MAX_RANGE_CLIPS}
 */
public record ClipsResponse(String instance, List<Integer> partitions, List<StoredClip> clips, boolean truncated) {

    /**
     * One stored clip.
     *
     * @param clipId the clip id
     * @param sourceId the source id
     * @param clipIndex the clip's index in its source
     * @param startTimeMicros clip start (source time)
     * @param endTimeMicros clip end (source time)
     * @param tenant the tenant
     * @param tags the tags
     * @param modelVersion the model version that made the vector
     * @param vector the clip's L2-normalised vector
     * @param thumbnailJpeg the clip's JPEG thumbnail (base64 in JSON); null in a time range's answer or when the clip
     *     has none
     */
    public record StoredClip(
            String clipId,
            String sourceId,
            long clipIndex,
            long startTimeMicros,
            long endTimeMicros,
            String tenant,
            List<String> tags,
            String modelVersion,
            float[] vector,
            byte[] thumbnailJpeg) {

        /** The stored clip of {@code clip}, without its thumbnail. */
        public static StoredClip of(ClipVector clip) {
            return of(clip, false);
        }

        /** The stored clip of {@code clip}, with its thumbnail when {@code withThumbnail} and it has one. */
        public static StoredClip of(ClipVector clip, boolean withThumbnail) {
            float[] vector = new float[clip.getVector().size()];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = clip.getVector().get(i);
            }
            return new StoredClip(
                    clip.getClipId().toString(),
                    clip.getSourceId().toString(),
                    clip.getClipIndex(),
                    clip.getStartTimeMicros(),
                    clip.getEndTimeMicros(),
                    clip.getTenant().toString(),
                    clip.getTags().stream().map(CharSequence::toString).toList(),
                    clip.getModelVersion().toString(),
                    vector,
                    withThumbnail ? thumbnail(clip) : null);
        }

        private static byte[] thumbnail(ClipVector clip) {
            ByteBuffer jpeg = clip.getThumbnailJpeg();
            if (jpeg == null || !jpeg.hasRemaining()) {
                return null;
            }
            byte[] bytes = new byte[jpeg.remaining()];
            jpeg.duplicate().get(bytes);
            return bytes;
        }
    }
}
