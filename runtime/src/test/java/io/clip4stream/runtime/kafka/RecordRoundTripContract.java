package io.clip4stream.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.schemas.serde.UnknownSchemaException;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import io.clip4stream.testkit.SampleRecords;
import io.clip4stream.testkit.TopicReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Every record type through a real broker, plus idempotent topic creation; run on the embedded broker and, where
 * Docker exists, on a container.
 */
abstract class RecordRoundTripContract {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Bootstrap servers of the broker under test. */
    abstract String bootstrapServers();

    private Topics freshTopics() {
        return Topics.withPrefix("rt-" + UUID.randomUUID().toString().substring(0, 8) + ".", 2);
    }

    @Test
    void shouldCreateEveryTopicOnceWithItsPolicy() throws Exception {
        Topics topics = freshTopics();
        KafkaClientSettings kafka = KafkaClientSettings.of(bootstrapServers());
        TopicProvisioner provisioner = new TopicProvisioner(kafka, 1, TopicProvisioner.DEFAULT_TIMEOUT);

        TopicProvisioner.Outcome first = provisioner.ensure(topics.all());
        TopicProvisioner.Outcome second = provisioner.ensure(topics.all());

        assertEquals(topics.all().size(), first.created().size());
        assertEquals(List.of(), second.created(), "a second start creates nothing");
        assertEquals(topics.all().size(), second.existing().size());
        try (Admin admin = Admin.create(kafka.admin("check"))) {
            ConfigResource resource = new ConfigResource(
                    ConfigResource.Type.TOPIC, topics.sources().name());
            ConfigEntry policy = admin.describeConfigs(List.of(resource))
                    .all()
                    .get(30, TimeUnit.SECONDS)
                    .get(resource)
                    .get("cleanup.policy");
            assertEquals("compact", policy.value());
        }
    }

    @Test
    void shouldRoundTripEveryRecordType() throws Exception {
        Topics topics = freshTopics();
        new TopicProvisioner(KafkaClientSettings.of(bootstrapServers()), 1, TopicProvisioner.DEFAULT_TIMEOUT)
                .ensure(topics.all());

        roundTrip(topics.ingestRequests(), List.of(SampleRecords.ingestRequest("cam-1")));
        roundTrip(topics.sources(), List.of(SampleRecords.ingestRequest("cam-2")));
        roundTrip(topics.ingestStatus(), List.of(SampleRecords.ingestStatus("cam-1")));
        roundTrip(topics.sourceDeletions(), List.of(SampleRecords.sourceDeletion("cam-1")));
        roundTrip(topics.frames(), SampleRecords.frameStream("cam-1"));
        roundTrip(topics.frameEmbeddings(), SampleRecords.embeddingStream("cam-1"));
        // A float32 clip (frames as lists) and an int8 one (frames packed).
        roundTrip(
                topics.clipVectors(),
                List.of(
                        SampleRecords.clipVector("cam-1"),
                        SampleRecords.clipVector("cam-2", io.clip4stream.schemas.frames.FrameEncoding.INT8)));
        roundTrip(topics.errors(), List.of(SampleRecords.pipelineError("cam-1")));
        roundTrip(topics.captions(), List.of(SampleRecords.caption("cam-1")));
    }

    @Test
    void shouldSurfaceForeignBytesAsTypedPoisonRecord() throws Exception {
        Topics topics = freshTopics();
        KafkaClientSettings kafka = KafkaClientSettings.of(bootstrapServers());
        new TopicProvisioner(kafka, 1, TopicProvisioner.DEFAULT_TIMEOUT).ensure(List.of(topics.ingestRequests()));
        byte[] statusBytes =
                topics.ingestStatus().valueSerde().serializer().serialize("x", SampleRecords.ingestStatus("s"));
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(kafka.producer("poison"), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.ingestRequests().name(), "s", statusBytes))
                    .get();
        }

        try (KafkaConsumer<String, ?> consumer = new KafkaConsumer<>(
                kafka.consumer("poison-reader", "g-" + UUID.randomUUID()),
                topics.ingestRequests().keySerde().deserializer(),
                topics.ingestRequests().valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.ingestRequests().name()));
            RecordDeserializationException e = assertThrows(RecordDeserializationException.class, () -> {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(200));
                }
            });
            assertInstanceOf(UnknownSchemaException.class, e.getCause());
            assertEquals(0L, e.offset());
            assertTrue(
                    e.getCause().getMessage().contains("IngestRequest"),
                    e.getCause().getMessage());
        }
    }

    private <V> void roundTrip(Topic<String, V> topic, List<V> values) throws Exception {
        KafkaClientSettings kafka = KafkaClientSettings.of(bootstrapServers());
        Map<String, Object> config = kafka.producer("round-trip");
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(
                config, topic.keySerde().serializer(), topic.valueSerde().serializer())) {
            for (V value : values) {
                producer.send(new ProducerRecord<>(topic.name(), "cam-1", value))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        List<ConsumerRecord<String, V>> read =
                new TopicReader(bootstrapServers()).readAtLeast(topic, values.size(), WAIT);
        assertEquals(values, read.stream().map(ConsumerRecord::value).toList(), topic.name());
    }
}
