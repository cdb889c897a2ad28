package io.clip4stream.app.cli;

import io.clip4stream.runtime.config.Env;
import io.clip4stream.runtime.config.TopicSettings;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.IngestState;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the ingest-status topic of a run from now on and hands one {@link ProgressLine} per change of a source's
 * state to the console, so that {@code run} shows each upload and sample as it is ingested, fails or is deleted.
 */
final class IngestProgress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestProgress.class);

    private final KafkaConsumer<String, IngestStatus> consumer;
    private final Consumer<String> console;
    private final Thread thread;
    private final Map<String, IngestState> states = new HashMap<>();

    private IngestProgress(KafkaConsumer<String, IngestStatus> consumer, Consumer<String> console) {
        this.consumer = consumer;
        this.console = console;
        this.thread = Thread.ofPlatform().daemon().name("clip4stream-progress").unstarted(this::follow);
    }

    /** Starts following the topic at its current end; every later change of state becomes a line. */
    static IngestProgress start(String bootstrapServers, Map<String, String> environment, Consumer<String> console) {
        Env env = new Env(environment);
        KafkaClientSettings kafka = new KafkaClientSettings(
                bootstrapServers, KafkaClientSettings.fromEnv(env).clientProperties());
        Topic<String, IngestStatus> topic = TopicSettings.fromEnv(env).topics().ingestStatus();
        KafkaConsumer<String, IngestStatus> consumer = new KafkaConsumer<>(
                kafka.consumer("clip4stream-run-progress", "clip4stream-run-progress-" + UUID.randomUUID()),
                topic.keySerde().deserializer(),
                topic.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(15)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // Resolves the end offsets now, so that a status written right after start() is not skipped.
        partitions.forEach(consumer::position);
        IngestProgress progress = new IngestProgress(consumer, console);
        progress.thread.start();
        return progress;
    }

    private void follow() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                    if (record.value() != null) {
                        ProgressLine.of(states.get(record.key()), record.value())
                                .ifPresent(console);
                        states.put(record.key(), record.value().getState());
                    }
                });
            }
        } catch (WakeupException e) {
            // close() asked us to stop.
        } catch (RuntimeException e) {
            LOG.warn("Stopped following ingest progress", e);
        } finally {
            consumer.close();
        }
    }

    /** Stops following. */
    @Override
    public void close() {
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
