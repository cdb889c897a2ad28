package io.clip4stream.query.fanout;

import java.util.List;
import java.util.Map;

/**
 * The merged candidates of every instance that answered, and how each took part.
 *
 * @param candidates the global top candidates, best first, one per clip id
 * @param shards one report per instance asked
 * @param searchableUpToMicros per source, the newest clip end time the answering instances hold
 * @param unservedPartitions partitions no instance served
 * @param partial whether an instance failed or a partition was unserved, so some clips may be missing
 * @param holders per candidate clip id, an instance that returned it (where a two-phase gather fetches its frames)
 * @param framesDeferred whether the shards were asked without frame embeddings, to be fetched for the candidates to
 *     re-rank with {@link ScatterGather#withFrames}
 * @param clipsPerModelVersion the clips per model version summed over the instances that said (those that found
 *     nothing)
 */
public record Gathered(
        List<Candidate> candidates,
        List<ShardReport> shards,
        Map<String, Long> searchableUpToMicros,
        List<Integer> unservedPartitions,
        boolean partial,
        Map<String, IndexInstance> holders,
        boolean framesDeferred,
        Map<String, Long> clipsPerModelVersion) {

    /** Copies everything. */
    public Gathered {
        holders = Map.copyOf(holders);
        candidates = List.copyOf(candidates);
        shards = List.copyOf(shards);
        searchableUpToMicros = Map.copyOf(searchableUpToMicros);
        unservedPartitions = List.copyOf(unservedPartitions);
        clipsPerModelVersion = Map.copyOf(clipsPerModelVersion);
    }

    /** A one-phase gather: candidates carry whatever frames the shards sent. */
    public Gathered(
            List<Candidate> candidates,
            List<ShardReport> shards,
            Map<String, Long> searchableUpToMicros,
            List<Integer> unservedPartitions,
            boolean partial) {
        this(candidates, shards, searchableUpToMicros, unservedPartitions, partial, Map.of(), false, Map.of());
    }
}
