package io.clip4stream.query.engine;

import java.util.List;

/**
 * One result of a search.
 *
 * @param rank 1-based position
 * @param clipId the clip id
 * @param sourceId the source the clip belongs to
 * @param clipIndex the clip's position in its source
 * @param startMicros clip start in source time
 * @param endMicros clip end in source time
 * @param score the final score: the tight head's logit when re-ranked, else the first-stage score
 * @param firstStageScore the index's cosine similarity of text and clip vectors
 * @param thumbnailUrl where the clip's thumbnail is served (relative to the query service)
 * @param tenant the clip's tenant
 * @param tags the clip's tags
 * @param reranked whether the tight head scored this hit (false: first-stage score only, as when the re-rank budget
 *     ran out before it)
 * @param provisional whether the clip is a live source's growing clip, indexed before it closed (searchable early;
 *     its closed clip replaces it under the same id)
 */
public record SearchHit(
        int rank,
        String clipId,
        String sourceId,
        long clipIndex,
        long startMicros,
        long endMicros,
        float score,
        float firstStageScore,
        String thumbnailUrl,
        String tenant,
        List<String> tags,
        boolean reranked,
        boolean provisional) {}
