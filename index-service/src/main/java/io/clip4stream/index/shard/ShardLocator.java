package io.clip4stream.index.shard;

import io.clip4stream.index.lucene.LuceneClipStore;
import io.clip4stream.index.store.ReadOnlyClipVectorStore;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;

/**
 * Answers, from Kafka Streams' metadata, which instance holds which index shards, and opens the local shards for
 * queries (like Confluent's {@code MetadataService}).
 */
public final class ShardLocator implements LocalShards {

    private final Supplier<KafkaStreams> streams;
    private final String storeName;
    private final String shardTopic;
    private final String applicationId;
    private final Supplier<String> self;
    private final int partitions;

    /**
     * A locator over the running application {@code streams} supplies.
     *
     * @param streams the Kafka Streams instance (supplied, as it starts after the HTTP host binds)
     * @param storeName the clip store's name
     * @param shardTopic the topic whose partitions are the shards (frame-embeddings)
     * @param applicationId the application id, reported in the shard map
     * @param self this instance's {@code host:port} (supplied, as the port is known once the HTTP host binds)
     * @param partitions the number of shards
     */
    public ShardLocator(
            Supplier<KafkaStreams> streams,
            String storeName,
            String shardTopic,
            String applicationId,
            Supplier<String> self,
            int partitions) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.storeName = Objects.requireNonNull(storeName, "storeName");
        this.shardTopic = Objects.requireNonNull(shardTopic, "shardTopic");
        this.applicationId = Objects.requireNonNull(applicationId, "applicationId");
        this.self = Objects.requireNonNull(self, "self");
        this.partitions = partitions;
    }

    /**
     * The local active shards as one store merging their top-k.
     *
     * @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the shards are not queryable
     *     (starting, rebalancing, restoring)
     */
    @Override
    public ReadOnlyClipVectorStore localStore() {
        return running().store(StoreQueryParameters.fromNameAndType(storeName, LuceneClipStore.queryableType()));
    }

    /** The shards this instance answers for. */
    @Override
    public List<Integer> localActivePartitions() {
        KafkaStreams running = running();
        return running.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.activeTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .filter(partition -> partition.topic().equals(shardTopic))
                .map(TopicPartition::partition)
                .sorted()
                .toList();
    }

    /** Every instance of the application and its shards. */
    @Override
    public ShardMap shardMap() {
        KafkaStreams running = running();
        Collection<StreamsMetadata> all = running.metadataForAllStreamsClients();
        List<ShardMap.Instance> instances = all.stream()
                .map(metadata -> new ShardMap.Instance(
                        metadata.host(),
                        metadata.port(),
                        partitionsOf(metadata.topicPartitions()),
                        partitionsOf(metadata.standbyTopicPartitions())))
                .sorted((a, b) -> (a.host() + ":" + a.port()).compareTo(b.host() + ":" + b.port()))
                .toList();
        return new ShardMap(self.get(), applicationId, running.state().name(), partitions, instances);
    }

    private List<Integer> partitionsOf(Set<TopicPartition> topicPartitions) {
        return topicPartitions.stream()
                .filter(partition -> partition.topic().equals(shardTopic))
                .map(TopicPartition::partition)
                .sorted()
                .toList();
    }

    /** This instance's {@code host:port}. */
    @Override
    public String self() {
        return self.get();
    }

    private KafkaStreams running() {
        KafkaStreams current = streams.get();
        if (current == null) {
            throw new IllegalStateException("the index's Kafka Streams application has not started yet");
        }
        return current;
    }
}
