package io.clip4stream.index.http;

import io.clip4stream.index.store.ClipHit;
import io.clip4stream.schemas.avro.ClipVector;
import java.nio.ByteBuffer;
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
 */
public record KnnResponse(
        String instance,
        String modelVersion,
        List<Integer> partitions,
        List<Hit> hits,
        Map<String, Long> searchableUpTo,
        long tookMicros) {

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
     * @param frameEmbeddings the frame embeddings, or null when not requested
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
            List<List<Float>> frameEmbeddings) {

        /** The hit of {@code hit}, with or without its heavy parts. */
        public static Hit of(ClipHit hit, boolean withFrames, boolean withThumbnail) {
            ClipVector clip = hit.clip();
            ByteBuffer thumbnail = clip.getThumbnailJpeg().asReadOnlyBuffer();
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
                    withFrames ? clip.getFrameEmbeddings() : null);
        }
    }
}
