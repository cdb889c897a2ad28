package io.clip4stream.ingest.kafka;

import io.clip4stream.ingest.source.ResolvedSource;
import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.ingest.source.SourceResolver;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares the registered live sources among instances through one consumer group on the compacted registry: each
 * instance reads its partitions from the beginning and runs their sources; when a partition moves (an instance left or
 * died), its sources stop here and start at the new owner, which resumes after the last committed clip. A tombstone
 * removes a source.
 */
public final class LiveSources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveSources.class);

    private final KafkaConsumer<String, IngestRequest> consumer;
    private final Topic<String, IngestRequest> topic;
    private final SourceResolver resolver;
    private final SourceRunner runner;
    private final Duration stopWait;
    private final Thread thread;
    private final Map<TopicPartition, Map<String, IngestRequest>> owned = new HashMap<>();
    private volatile boolean running = true;
    private volatile boolean assigned;

    /** Live sources shared in {@code groupId}. */
    public LiveSources(
            KafkaClientSettings kafka,
            Topic<String, IngestRequest> topic,
            String groupId,
            String clientId,
            SourceResolver resolver,
            SourceRunner runner,
            Duration stopWait) {
        this.consumer = new KafkaConsumer<>(
                kafka.consumer(clientId, groupId),
                new StringDeserializer(),
                topic.valueSerde().deserializer());
        this.topic = topic;
        this.resolver = resolver;
        this.runner = runner;
        this.stopWait = stopWait;
        this.thread = new Thread(this::loop, clientId);
        thread.setDaemon(true);
    }

    /** Starts following the registry. */
    public LiveSources start() {
        thread.start();
        return this;
    }

    /** Whether this instance joined the group. */
    public boolean ready() {
        return assigned;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(stopWait.toMillis() + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(topic.name()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    release(partitions);
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    release(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // The registry is compacted and never committed: every owner reads it whole.
                    consumer.seekToBeginning(partitions);
                    partitions.forEach(p -> owned.put(p, new HashMap<>()));
                    assigned = true;
                }
            });
            while (running) {
                try {
                    for (ConsumerRecord<String, IngestRequest> record : consumer.poll(Duration.ofMillis(200))) {
                        apply(record);
                    }
                } catch (RecordDeserializationException e) {
                    LOG.warn("Undecodable registry record at {}@{} skipped", e.topicPartition(), e.offset(), e);
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.warn("Live-source coordinator woken up unexpectedly", e);
            }
        } catch (KafkaException e) {
            LOG.error("Live-source coordinator stopped", e);
        } finally {
            stopAll(owned.keySet());
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void apply(ConsumerRecord<String, IngestRequest> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        Map<String, IngestRequest> sources = owned.computeIfAbsent(tp, p -> new HashMap<>());
        String id = record.key();
        IngestRequest request = record.value();
        IngestRequest previous = sources.get(id);
        if (request == null) {
            sources.remove(id);
            runner.stop(id, true, stopWait);
            return;
        }
        if (previous != null && previous.equals(request) && runner.isRunning(id)) {
            return;
        }
        if (previous != null) {
            runner.stop(id, false, stopWait);
        }
        sources.put(id, request);
        try {
            ResolvedSource source = resolver.resolve(request);
            LOG.info("Running live source {} from partition {}", id, tp);
            runner.start(request, source);
        } catch (SourceRejectedException e) {
            LOG.warn("Live source {} refused: {}", id, e.getMessage());
        }
    }

    private void release(Collection<TopicPartition> partitions) {
        stopAll(partitions);
        partitions.forEach(owned::remove);
    }

    /** Stops the sources of {@code partitions} together (one wait for all, not one per source). */
    private void stopAll(Collection<TopicPartition> partitions) {
        List<String> ids = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            ids.addAll(owned.getOrDefault(tp, Map.of()).keySet());
        }
        runner.stopAll(ids, stopWait);
    }
}
