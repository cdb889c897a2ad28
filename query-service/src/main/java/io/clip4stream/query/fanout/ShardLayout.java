package io.clip4stream.query.fanout;

import java.util.List;

/**
 * Which instances to ask and which partitions nobody currently serves (those make every answer partial).
 *
 * @param instances the instances to ask
 * @param unservedPartitions partitions of the clip store with no active instance (rebalancing, failures)
 */
public record ShardLayout(List<IndexInstance> instances, List<Integer> unservedPartitions) {

    /** Copies the lists. */
    public ShardLayout {
        instances = List.copyOf(instances);
        unservedPartitions = List.copyOf(unservedPartitions);
    }
}
