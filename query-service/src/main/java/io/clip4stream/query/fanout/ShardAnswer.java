package io.clip4stream.query.fanout;

import java.util.List;
import java.util.Map;

/**
 * What one instance answered.
 *
 * @param candidates its top candidates, best first
 * @param searchableUpToMicros per source, the newest clip end time the instance holds
 * @param partitions the partitions the answer covers (empty when the instance does not say)
 * @param clipsPerModelVersion the clips the instance holds per model version, when it says (it does when it found
 *     nothing); empty otherwise
 */
public record ShardAnswer(
        List<Candidate> candidates,
        Map<String, Long> searchableUpToMicros,
        List<Integer> partitions,
        Map<String, Long> clipsPerModelVersion) {

    /** Copies everything. */
    public ShardAnswer {
        candidates = List.copyOf(candidates);
        searchableUpToMicros = Map.copyOf(searchableUpToMicros);
        partitions = List.copyOf(partitions);
        clipsPerModelVersion = Map.copyOf(clipsPerModelVersion);
    }

    /** An answer that says nothing about model versions. */
    public ShardAnswer(List<Candidate> candidates, Map<String, Long> searchableUpToMicros, List<Integer> partitions) {
        this(candidates, searchableUpToMicros, partitions, Map.of());
    }
}
