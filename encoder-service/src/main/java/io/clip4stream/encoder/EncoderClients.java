package io.clip4stream.encoder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Creates the encoder's Kafka clients. Both work on raw bytes: keys pass through unchanged (so outputs are keyed
 * exactly like their inputs) and values are decoded by the loop, so an undecodable record becomes an error record
 * instead of an exception inside {@code poll}.
 */
public final class EncoderClients {

    private EncoderClients() {}

    /** The read_committed, manually committed consumer of {@code config}'s group. */
    public static KafkaConsumer<byte[], byte[]> consumer(EncoderConfig config) {
        Map<String, Object> props = config.kafka().consumer("encoder-" + config.instanceId(), config.groupId());
        // One poll brings at most one batch, so reading never runs far ahead of the encoder.
        props.putIfAbsent("max.poll.records", config.maxBatchFrames());
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The transactional producer of {@code config}'s instance. */
    public static KafkaProducer<byte[], byte[]> producer(EncoderConfig config) {
        Map<String, Object> props =
                config.kafka().transactionalProducer("encoder-" + config.instanceId(), config.transactionalId());
        // A batch's first send races the previous transaction's completion (CONCURRENT_TRANSACTIONS); the default
        // 100 ms backoff then dominates a small batch, so retry sooner.
        props.putIfAbsent("retry.backoff.ms", 5);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Waits until every partition of {@code topics} answers on its leader. Right after a topic is created the
     * metadata can name a leader that does not serve the partition yet; a first produce then fails and is retried
     * behind later batches, which an idempotent producer reports as out-of-order sequence numbers.
     */
    public static void awaitPartitionLeaders(Consumer<?, ?> consumer, Collection<String> topics, Duration timeout) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new KafkaException("topic " + topic + " has no partitions in the cluster metadata");
            }
            infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        // ListOffsets goes to each partition's leader and is retried until that leader serves it; assigning them
        // first keeps the consumer from logging a warning per partition.
        consumer.assign(partitions);
        try {
            consumer.endOffsets(partitions, timeout);
        } finally {
            consumer.assign(List.of());
        }
    }
}
