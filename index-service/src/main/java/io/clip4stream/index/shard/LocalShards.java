package io.clip4stream.index.shard;

import io.clip4stream.index.store.ReadOnlyClipVectorStore;
import java.util.List;

/**
 * What the query routes need of an instance's shards: the local store to search, the partitions it answers for and
 * the shard map; {@link ShardLocator} answers from Kafka Streams, benchmarks from a fixed store.
 */
public interface LocalShards {

    /**
     * The local active shards as one store.
     *
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the shards are not queryable
     */
    ReadOnlyClipVectorStore localStore();

    /** The shards this instance answers for. */
    List<Integer> localActivePartitions();

    /** Every instance and its shards. */
    ShardMap shardMap();

    /** This instance's {@code host:port}. */
    String self();
}
