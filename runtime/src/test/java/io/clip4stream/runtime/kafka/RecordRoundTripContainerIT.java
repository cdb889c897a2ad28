package io.clip4stream.runtime.kafka;

import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The round-trip contract on Apache Kafka in a container; skipped where no Docker engine runs. */
@Testcontainers(disabledWithoutDocker = true)
class RecordRoundTripContainerIT extends RecordRoundTripContract {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka-native:4.0.0");

    @Override
    String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
