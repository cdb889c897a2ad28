package io.clip4stream.query.engine;

import io.clip4stream.query.fanout.ShardReport;
import java.util.List;
import java.util.Map;

/**
 * The answer to a search, as the API returns it.
 *
 * @param query the query text as searched (stripped; empty for a query by example alone)
 * @param example the example searched by ({@code image (N bytes)}, {@code clip ID}, {@code source ID [from, to)}),
 *     null for a text query
 * @param weight the text's share when text and an example were combined (null otherwise)
 * @param k hits asked for
 * @param candidates first-stage candidates asked of the shards
 * @param modelId the model that encoded the text
 * @param modelVersion its version (the clip vectors searched belong to it)
 * @param reranked whether the hits are in tight-head order
 * @param rerankNote why they are not (null when re-ranked)
 * @param note why there are no hits when the index holds clips only under other model versions, naming them and
 *     their clip counts (null otherwise)
 * @param partial whether the answer is incomplete: a shard failed, timed out or a partition was unserved (so clips may
 *     be missing), or the re-rank budget left candidates first-stage only ({@code notReranked})
 * @param hits the hits, best first
 * @param shards how each index instance took part
 * @param unservedPartitions partitions no instance served
 * @param searchableUpToMicros per source, the newest clip end time the answering shards hold
 * @param timings where the time went
 * @param notReranked candidates the re-rank budget left first-stage only (they follow the re-ranked ones, in
 *     first-stage order); 0 when every candidate was re-ranked or re-ranking did not apply
 */
public record SearchResult(
        String query,
        String example,
        Double weight,
        int k,
        int candidates,
        String modelId,
        String modelVersion,
        boolean reranked,
        String rerankNote,
        String note,
        boolean partial,
        List<SearchHit> hits,
        List<ShardReport> shards,
        List<Integer> unservedPartitions,
        Map<String, Long> searchableUpToMicros,
        SearchTimings timings,
        int notReranked) {}
