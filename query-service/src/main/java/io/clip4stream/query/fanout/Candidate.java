package io.clip4stream.query.fanout;

import java.util.List;
import java.util.Objects;

/**
 * One clip an index shard proposes for a query, with what re-ranking and display need.
 *
 * @param clipId the clip's id
 * @param sourceId the source the clip belongs to
 * @param clipIndex the clip's position in its source
 * @param startMicros clip start in source time
 * @param endMicros clip end in source time
 * @param tenant the clip's tenant
 * @param tags the clip's tags
 * @param modelVersion the model version of the clip's vector
 * @param score first-stage similarity (dot product of L2-normalised vectors)
 * @param frameEmbeddings the clip's frame embeddings (empty when the shard did not send them)
 * @param thumbnailJpeg the clip's thumbnail (null when the shard did not send one)
 * @param provisional whether the clip is a live source's growing clip, indexed before it closed
 */
public record Candidate(
        String clipId,
        String sourceId,
        long clipIndex,
        long startMicros,
        long endMicros,
        String tenant,
        List<String> tags,
        String modelVersion,
        float score,
        float[][] frameEmbeddings,
        byte[] thumbnailJpeg,
        boolean provisional) {

    /** Requires ids and defaults absent collections to empty. */
    public Candidate {
        Objects.requireNonNull(clipId, "clipId");
        Objects.requireNonNull(sourceId, "sourceId");
        tags = tags == null ? List.of() : List.copyOf(tags);
        frameEmbeddings = frameEmbeddings == null ? new float[0][] : frameEmbeddings;
    }

    /** A candidate of a closed clip. */
    public Candidate(
            String clipId,
            String sourceId,
            long clipIndex,
            long startMicros,
            long endMicros,
            String tenant,
            List<String> tags,
            String modelVersion,
            float score,
            float[][] frameEmbeddings,
            byte[] thumbnailJpeg) {
        this(
                clipId,
                sourceId,
                clipIndex,
                startMicros,
                endMicros,
                tenant,
                tags,
                modelVersion,
                score,
                frameEmbeddings,
                thumbnailJpeg,
                false);
    }

    /** Whether the tight head can score this candidate. */
    public boolean hasFrameEmbeddings() {
        return frameEmbeddings.length > 0;
    }

    /** This candidate carrying {@code frames} (fetched in the second phase of a two-phase gather). */
    public Candidate withFrameEmbeddings(float[][] frames) {
        return new Candidate(
                clipId,
                sourceId,
                clipIndex,
                startMicros,
                endMicros,
                tenant,
                tags,
                modelVersion,
                score,
                frames,
                thumbnailJpeg,
                provisional);
    }
}
