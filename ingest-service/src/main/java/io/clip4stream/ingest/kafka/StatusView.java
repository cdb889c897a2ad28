package io.clip4stream.ingest.kafka;

import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The latest committed status of every source, read from the compacted status topic ({@code read_committed}), for
 * {@code GET /sources/{id}} and for intake decisions.
 */
public final class StatusView implements AutoCloseable {

    private final Map<String, IngestStatus> latest = new ConcurrentHashMap<>();
    private final TopicFollower<IngestStatus> follower;

    /** A view of {@code topic}; call {@link #start()} to follow it. */
    public StatusView(KafkaClientSettings kafka, Topic<String, IngestStatus> topic, String clientId) {
        this.follower =
                new TopicFollower<>("Status view", kafka, topic, clientId, TopicFollower.From.BEGINNING, this::apply);
    }

    /** Starts following the topic from its beginning. */
    public StatusView start() {
        follower.start();
        return this;
    }

    /** The latest status of {@code sourceId}, if any. */
    public Optional<IngestStatus> get(String sourceId) {
        return Optional.ofNullable(latest.get(sourceId));
    }

    /** The latest status of every source, sorted by source id. */
    public List<IngestStatus> all() {
        return latest.values().stream()
                .sorted(java.util.Comparator.comparing(IngestStatus::getSourceId))
                .toList();
    }

    /** Records a status this instance just wrote, so reads see it before it comes back from Kafka. */
    public void put(IngestStatus status) {
        latest.merge(
                status.getSourceId(),
                status,
                (old, now) -> old.getUpdatedAtMillis() > now.getUpdatedAtMillis() ? old : now);
    }

    /** How many sources are in each state, by their latest status (every instance's sources, not only this one's). */
    public Map<IngestState, Long> countByState() {
        Map<IngestState, Long> counts = new EnumMap<>(IngestState.class);
        for (IngestState state : IngestState.values()) {
            counts.put(state, 0L);
        }
        latest.values().forEach(status -> counts.merge(status.getState(), 1L, Long::sum));
        return counts;
    }

    /** Whether the view has read the topic up to where it was at start-up. */
    public boolean caughtUp() {
        return follower.caughtUp();
    }

    @Override
    public void close() {
        follower.close();
    }

    private void apply(ConsumerRecord<String, IngestStatus> record) {
        if (record.value() == null) {
            latest.remove(record.key());
        } else {
            latest.put(record.key(), record.value());
        }
    }

    /** Reads one partition of the status topic to its end and returns the last status of {@code sourceId}. */
    static IngestStatus readLatest(
            KafkaClientSettings kafka, Topic<String, IngestStatus> topic, int partition, String sourceId) {
        TopicPartition tp = new TopicPartition(topic.name(), partition);
        try (KafkaConsumer<String, IngestStatus> reader = new KafkaConsumer<>(
                groupless(kafka, "ingest-checkpoint-" + sourceId),
                new StringDeserializer(),
                topic.valueSerde().deserializer())) {
            reader.assign(List.of(tp));
            reader.seekToBeginning(List.of(tp));
            // The high watermark, not the last stable offset: another source's open transaction on this partition
            // must not hide a later committed status of ours, so wait until it is resolved (at most one clip).
            long end = highWatermark(kafka, tp);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            IngestStatus found = null;
            while (reader.position(tp) < end) {
                if (System.nanoTime() > deadline) {
                    throw new KafkaException("Cannot read the committed status of " + sourceId + " from " + tp
                            + ": a transaction stays open past offset " + reader.position(tp));
                }
                for (ConsumerRecord<String, IngestStatus> record : reader.poll(Duration.ofMillis(200))) {
                    if (sourceId.equals(record.key())) {
                        found = record.value();
                    }
                }
            }
            return found;
        }
    }

    private static long highWatermark(KafkaClientSettings kafka, TopicPartition tp) {
        Map<String, Object> config = groupless(kafka, "ingest-watermark");
        config.put("isolation.level", "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(
                config,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            // Assigned first: an unassigned partition's end offset comes back with a "Not updating high watermark"
            // warning for every upload.
            probe.assign(List.of(tp));
            return probe.endOffsets(List.of(tp)).get(tp);
        }
    }

    /** Consumer settings without a group: the reader assigns partitions itself and commits nothing. */
    static Map<String, Object> groupless(KafkaClientSettings kafka, String clientId) {
        Map<String, Object> config = kafka.consumer(clientId, "unused");
        config.remove("group.id");
        config.put("client.id", clientId + "-" + UUID.randomUUID().toString().substring(0, 6));
        config.put("auto.offset.reset", "earliest");
        return config;
    }
}
