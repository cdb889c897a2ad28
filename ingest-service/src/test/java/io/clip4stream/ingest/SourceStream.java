package io.clip4stream.ingest;

import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** One source's committed frame stream as a downstream service sees it ({@code read_committed}). */
record SourceStream(List<Object> payloads) {

    List<SampledFrame> frames() {
        return payloads.stream()
                .filter(SampledFrame.class::isInstance)
                .map(SampledFrame.class::cast)
                .toList();
    }

    List<ClipBoundary> boundaries() {
        return payloads.stream()
                .filter(ClipBoundary.class::isInstance)
                .map(ClipBoundary.class::cast)
                .toList();
    }

    List<EndOfSource> ends() {
        return payloads.stream()
                .filter(EndOfSource.class::isInstance)
                .map(EndOfSource.class::cast)
                .toList();
    }

    /** Reads {@code sourceId}'s records until {@code done} holds or the timeout passes. */
    static SourceStream read(
            String bootstrap,
            Topic<String, FrameStreamRecord> topic,
            String sourceId,
            Predicate<SourceStream> done,
            Duration timeout) {
        Map<String, Object> config = Map.of(
                "bootstrap.servers",
                bootstrap,
                "group.id",
                "test-" + UUID.randomUUID(),
                "auto.offset.reset",
                "earliest",
                "enable.auto.commit",
                false,
                "isolation.level",
                "read_committed",
                "max.partition.fetch.bytes",
                8 * 1024 * 1024);
        List<Object> payloads = new ArrayList<>();
        try (KafkaConsumer<String, FrameStreamRecord> consumer = new KafkaConsumer<>(
                config, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            SourceStream stream = new SourceStream(payloads);
            while (!done.test(stream) && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, FrameStreamRecord> record : consumer.poll(Duration.ofMillis(200))) {
                    if (sourceId.equals(record.key())) {
                        payloads.add(record.value().getPayload());
                    }
                }
            }
            return new SourceStream(List.copyOf(payloads));
        }
    }
}
