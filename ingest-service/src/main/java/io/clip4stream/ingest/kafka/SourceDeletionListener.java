package io.clip4stream.ingest.kafka;

import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.SourceDeletion;
import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops this instance's run of every source deleted from now on, whichever instance took the delete: it reads all
 * partitions of the deletion topic without a consumer group (so every instance sees every deletion), from their end.
 *
 * <p>Deletions from before the start need no stop: a run resumed after a restart is refused by {@link Intake#check}
 * once the source's status is DELETED.
 */
public final class SourceDeletionListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceDeletionListener.class);

    private final KafkaConsumer<String, SourceDeletion> consumer;
    private final Topic<String, SourceDeletion> topic;
    private final SourceRunner runner;
    private final Duration stopWait;
    private final Thread thread;
    private volatile boolean ready;
    private volatile boolean running = true;

    /** A listener on {@code topic} stopping runs of {@code runner}, waiting up to {@code stopWait} for each. */
    public SourceDeletionListener(
            KafkaClientSettings kafka,
            Topic<String, SourceDeletion> topic,
            String clientId,
            SourceRunner runner,
            Duration stopWait) {
        this.topic = topic;
        this.runner = runner;
        this.stopWait = stopWait;
        this.consumer = new KafkaConsumer<>(
                StatusView.groupless(kafka, clientId),
                new StringDeserializer(),
                topic.valueSerde().deserializer());
        this.thread = new Thread(this::follow, clientId);
        thread.setDaemon(true);
    }

    /** Starts following the topic from its current end. */
    public SourceDeletionListener start() {
        thread.start();
        return this;
    }

    /** Whether the listener is positioned on every partition, so any deletion published from now on reaches it. */
    public boolean ready() {
        return ready;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void follow() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic.name())
                    .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // seekToEnd is lazy: resolve the positions now, so a deletion published after ready() is never skipped.
            partitions.forEach(consumer::position);
            ready = true;
            while (running) {
                for (ConsumerRecord<String, SourceDeletion> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && runner.isRunning(record.key())) {
                        LOG.info("Source {} was deleted; stopping its run here", record.key());
                        runner.stop(record.key(), true, stopWait);
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.warn("Deletion listener woken up unexpectedly", e);
            }
        } catch (KafkaException e) {
            // Deletions still reach the index; only runs on this instance would go on until they end.
            LOG.error("Deletion listener stopped following {}", topic.name(), e);
        } finally {
            ready = false;
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
