package io.clip4stream.encoder;

import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
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
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
