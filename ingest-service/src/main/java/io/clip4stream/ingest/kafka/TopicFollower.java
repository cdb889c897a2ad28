package io.clip4stream.ingest.kafka;

import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every partition of a topic without a consumer group (so every instance sees every record), on a thread of
 * its own, handing each record to a handler; the status view and the deletion listener are two uses of it.
 */
final class TopicFollower<V> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /** Where following starts. */
    enum From {
        /** The start of every partition: the whole (compacted) history is replayed. */
        BEGINNING,
        /** The end of every partition: only records published from now on. */
        END
    }

    private final String name;
    private final KafkaConsumer<String, V> consumer;
    private final Topic<String, V> topic;
    private final From from;
    private final Consumer<ConsumerRecord<String, V>> handler;
    private final Thread thread;
    private volatile boolean caughtUp;
    private volatile boolean following;
    private volatile boolean running = true;

    /** A follower of {@code topic} from {@code from}, named {@code name} in logs; call {@link #start()}. */
    TopicFollower(
            String name,
            KafkaClientSettings kafka,
            Topic<String, V> topic,
            String clientId,
            From from,
            Consumer<ConsumerRecord<String, V>> handler) {
        this.name = name;
        this.topic = topic;
        this.from = from;
        this.handler = handler;
        this.consumer = new KafkaConsumer<>(
                StatusView.groupless(kafka, clientId),
                new StringDeserializer(),
                topic.valueSerde().deserializer());
        this.thread = new Thread(this::follow, clientId);
        thread.setDaemon(true);
    }

    /** Starts following. */
    void start() {
        thread.start();
    }

    /** Whether every partition has been read up to where it ended when following started (stays true once true). */
    boolean caughtUp() {
        return caughtUp;
    }

    /** Whether the follower is still reading the topic (false before it started and after a failure or close). */
    boolean following() {
        return following;
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
            if (from == From.BEGINNING) {
                consumer.seekToBeginning(partitions);
            } else {
                consumer.seekToEnd(partitions);
            }
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            // Seeks are lazy: resolve the positions now, so a record published after caughtUp() is never skipped.
            partitions.forEach(consumer::position);
            following = true;
            while (running) {
                if (!caughtUp
                        && ends.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    caughtUp = true;
                }
                for (ConsumerRecord<String, V> record : consumer.poll(POLL)) {
                    handler.accept(record);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.warn("{} woken up unexpectedly", name, e);
            }
        } catch (KafkaException e) {
            LOG.error("{} stopped following {}", name, topic.name(), e);
        } finally {
            following = false;
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
