package io.clip4stream.index.http;

import io.clip4stream.schemas.avro.ClipVector;
import java.util.List;

/**
 * The answer of {@code GET /v1/clips}: stored clips with their vectors (no frames, no thumbnail).
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
            float[] vector) {

        /** The stored clip of {@code clip}. */
        public static StoredClip of(ClipVector clip) {
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
                    vector);
        }
    }
}
