package io.clip4stream.index.shard;

import java.util.List;

/**
 * Which instance holds which index shards, as the query-service reads it from {@code GET /v1/shards}.
 *
 * @param self this instance's {@code host:port}
 * @param applicationId the Kafka Streams application id
 * @param state the Kafka Streams state (RUNNING, REBALANCING, ...)
 * @param partitions the number of shards (partitions of the frame-embeddings topic)
 * @param instances every instance of the application with its shards
 */
public record ShardMap(String self, String applicationId, String state, int partitions, List<Instance> instances) {

    /** Copies the list. */
    public ShardMap {
        instances = List.copyOf(instances);
    }

    /**
     * One instance.
     *
     * @param host its advertised host
     * @param port its HTTP port
     * @param activePartitions shards it answers queries for
     * @param standbyPartitions shards it keeps as warm standbys
     */
    public record Instance(String host, int port, List<Integer> activePartitions, List<Integer> standbyPartitions) {
        /** Copies the lists. */
        public Instance {
            activePartitions = List.copyOf(activePartitions);
            standbyPartitions = List.copyOf(standbyPartitions);
        }
    }
}
