package io.clip4stream.runtime.kafka;

import org.apache.kafka.common.utils.AppInfoParser;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The round-trip contract on Apache Kafka in a container; skipped where no Docker engine runs (the testkit's
 * {@code SkippedTestsReport} names it at the end of the run, so the skip is never silent).
 */
@Testcontainers(disabledWithoutDocker = true)
class RecordRoundTripContainerIT extends RecordRoundTripContract {
    /** The broker image of exactly the Kafka version whose client is on the class path (kafka.version in the pom). */
    static final String IMAGE = "apache/kafka-native:" + AppInfoParser.getVersion();

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(IMAGE);

    @Override
    String bootstrapServers() {
        return KAFKA.getBootstrapServers();
    }
}
