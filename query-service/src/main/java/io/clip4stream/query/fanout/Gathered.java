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
 * @param clipsPerModelVersion the clips per model version summed over the instances that said (those that found
 *     nothing)
 */
public record Gathered(
        List<Candidate> candidates,
        List<ShardReport> shards,
        Map<String, Long> searchableUpToMicros,
        List<Integer> unservedPartitions,
        boolean partial,
        Map<String, Long> clipsPerModelVersion) {

    /** Copies everything. */
    public Gathered {
        candidates = List.copyOf(candidates);
        shards = List.copyOf(shards);
        searchableUpToMicros = Map.copyOf(searchableUpToMicros);
        unservedPartitions = List.copyOf(unservedPartitions);
        clipsPerModelVersion = Map.copyOf(clipsPerModelVersion);
    }
}
