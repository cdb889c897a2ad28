package io.clip4stream.query.caption;

import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.Caption;
import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The captions topic as a caption store: appends wait for the broker's acknowledgement (a 2xx means stored), listing
 * reads the compacted topic from the beginning to its end offsets at the time of the call. The producer is made on the
 * first append, so a query service whose cluster has no captions topic yet still starts.
 */
public final class KafkaCaptionStore implements CaptionStore, AutoCloseable {

    private final KafkaClientSettings kafka;
    private final Topic<String, Caption> topic;
    private final Duration timeout;
    private KafkaProducer<String, Caption> producer;

    /** A store on {@code topic} of the cluster {@code kafka}, each call bounded by {@code timeout}. */
    public KafkaCaptionStore(KafkaClientSettings kafka, Topic<String, Caption> topic, Duration timeout) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public void append(List<Caption> captions) {
        KafkaProducer<String, Caption> out = producer();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Caption caption : captions) {
            sent.add(out.send(
                    new ProducerRecord<>(topic.name(), caption.getCaptionId().toString(), caption)));
        }
        out.flush();
        try {
            for (Future<RecordMetadata> result : sent) {
                result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing captions in " + topic.name(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "cannot store captions in " + topic.name() + " on " + kafka.bootstrapServers() + ": " + e, e);
        }
    }

    @Override
    public List<Caption> all() {
        Map<String, Caption> latest = new LinkedHashMap<>();
        String id = "clip4stream-query-captions-" + UUID.randomUUID();
        try (KafkaConsumer<String, Caption> consumer = new KafkaConsumer<>(
                kafka.consumer(id, id),
                topic.keySerde().deserializer(),
                topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic.name(), timeout)
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic.name() + " did not finish within " + timeout);
                }
                for (ConsumerRecord<String, Caption> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value() == null) {
                        latest.remove(record.key());
                    } else {
                        latest.put(record.key(), record.value());
                    }
                }
            }
        }
        return List.copyOf(latest.values());
    }

    private synchronized KafkaProducer<String, Caption> producer() {
        if (producer == null) {
            Map<String, Object> config = new java.util.HashMap<>(kafka.producer("clip4stream-query-captions"));
            // A missing topic or an unreachable broker fails the request within the timeout instead of a minute.
            config.put("max.block.ms", timeout.toMillis());
            producer = new KafkaProducer<>(
                    config, topic.keySerde().serializer(), topic.valueSerde().serializer());
        }
        return producer;
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(timeout);
            producer = null;
        }
    }
}
