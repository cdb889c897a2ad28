package io.clip4stream.index.topology;

import io.clip4stream.schemas.avro.FrameEmbedding;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * A closed clip: its metadata and its frame embeddings in frame order, ready for aggregation.
 *
 * @param sourceId the source
 * @param clipIndex the clip's index within its source
 * @param clipId the clip's id
 * @param startTimeMicros presentation time of the clip's start
 * @param endTimeMicros presentation time of the clip's end
 * @param tenant the owning tenant
 * @param tags the source's tags
 * @param thumbnailJpeg a small JPEG of the clip (empty when the clip was closed by timeout)
 * @param frames the frame embeddings, ordered and without duplicates
 * @param closedByTimeout whether no boundary closed the clip
 */
public record AssembledClip(
        String sourceId,
        long clipIndex,
        String clipId,
        long startTimeMicros,
        long endTimeMicros,
        String tenant,
        List<String> tags,
        ByteBuffer thumbnailJpeg,
        List<FrameEmbedding> frames,
        boolean closedByTimeout) {

    /** Validates the clip. */
    public AssembledClip {
        Objects.requireNonNull(sourceId, "sourceId");
        Objects.requireNonNull(clipId, "clipId");
        Objects.requireNonNull(tenant, "tenant");
        tags = List.copyOf(tags);
        Objects.requireNonNull(thumbnailJpeg, "thumbnailJpeg");
        frames = List.copyOf(frames);
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("clip " + clipId + " has no frames");
        }
    }
}
