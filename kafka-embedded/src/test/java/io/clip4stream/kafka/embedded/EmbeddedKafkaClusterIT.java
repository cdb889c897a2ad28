package io.clip4stream.kafka.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaClusterIT {

    @Test
    void shouldServeProduceAndConsumeOnOneNode() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build().start()) {
            createTopic(kafka, "greetings", 3, 1);
            produce(kafka, "greetings", 100);
            assertEquals(100, consumeAll(kafka, "greetings", 100).size());
        }
    }

    @Test
    void shouldKeepTopicsAndRecordsAcrossRestartOnTheSameDataDir(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.builder().dataDir(dir).build().start()) {
            createTopic(kafka, "durable", 1, 1);
            produce(kafka, "durable", 10);
        }
        assertTrue(Files.exists(dir.resolve("node-1/data/meta.properties")), "the data dir is kept");
        try (EmbeddedKafkaCluster again =
                EmbeddedKafkaCluster.builder().dataDir(dir).build().start()) {
            assertEquals(10, consumeAll(again, "durable", 10).size());
        }
    }

    @Test
    void shouldKeepServingWithOneOfThreeNodesDownAndRejoinAfterRestart() throws Exception {
        try (EmbeddedKafkaCluster kafka =
                EmbeddedKafkaCluster.builder().nodes(3).build().start()) {
            assertEquals(3, kafka.size());
            createTopic(kafka, "replicated", 3, 3);
            produce(kafka, "replicated", 30);

            kafka.stopNode(2);
            assertFalse(kafka.isRunning(2));
            produce(kafka, "replicated", 30);
            kafka.startNode(2);

            assertTrue(kafka.isRunning(2));
            assertEquals(60, consumeAll(kafka, "replicated", 60).size());
        }
    }

    @Test
    void shouldRejectUnknownNodeAndIllegalSizes() {
        assertThrows(
                IllegalArgumentException.class,
                () -> EmbeddedKafkaCluster.builder().nodes(0));
        assertThrows(
                IllegalArgumentException.class,
                () -> EmbeddedKafkaCluster.builder().brokerPort(70000));
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().build()) {
            assertThrows(IllegalArgumentException.class, () -> kafka.stopNode(5));
        }
    }

    private static void createTopic(EmbeddedKafkaCluster kafka, String name, int partitions, int replication)
            throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(Set.of(new NewTopic(name, partitions, (short) replication)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static void produce(EmbeddedKafkaCluster kafka, String topic, int count) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<ConsumerRecord<String, String>> consumeAll(
            EmbeddedKafkaCluster kafka, String topic, int expected) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                "reader-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
