package io.clip4stream.runtime.kafka;

import io.clip4stream.schemas.avro.ModelVersion;
import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * Follows the compacted {@code models} topic for as long as a service runs, so that a {@code model deploy},
 * {@code activate} or {@code retire} reaches every instance within about a poll interval, without a restart. Each
 * change is shown to the listener as a whole new {@link ModelCatalog}, on the watcher's own thread.
 */
public final class ModelCatalogWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelCatalogWatcher.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration RETRY = Duration.ofSeconds(2);
    private static final Duration END_OFFSETS_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClientSettings kafka;
    private final Topic<String, ModelVersion> topic;
    private final Consumer<ModelCatalog> listener;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile ModelCatalog current = ModelCatalog.EMPTY;
    private volatile boolean closed;
    private volatile KafkaConsumer<String, ModelVersion> consumer;
    private Thread thread;

    /** A watcher of {@code topic} through {@code kafka}, showing every change to {@code listener}. */
    public ModelCatalogWatcher(
            KafkaClientSettings kafka, Topic<String, ModelVersion> topic, Consumer<ModelCatalog> listener) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Starts following the topic and waits up to {@code timeout} until the whole topic has been read once (the
     * listener has then seen the catalog as it stood at start-up).
     *
     * @return whether the topic was read whole within the timeout (if not, the watcher goes on trying)
     */
    public synchronized boolean start(Duration timeout) {
        if (thread != null) {
            throw new IllegalStateException("the model catalog watcher is already started");
        }
        thread = Thread.ofPlatform()
                .daemon()
                .name("model-catalog-" + topic.name())
                .start(this::follow);
        try {
            return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The catalog as last read. */
    public ModelCatalog current() {
        return current;
    }

    private void follow() {
        int failures = 0;
        while (!closed) {
            Map<String, Object> settings = kafka.consumer("model-catalog-" + topic.name(), null);
            settings.remove("group.id");
            settings.put("enable.auto.commit", false);
            // A service that runs without Kafka (a query service used only for search) must not log a failed
            // connection every second: back off to one attempt every 30 s.
            settings.put("reconnect.backoff.ms", 1_000);
            settings.put("reconnect.backoff.max.ms", 30_000);
            try (KafkaConsumer<String, ModelVersion> created = new KafkaConsumer<>(
                    settings, new StringDeserializer(), topic.valueSerde().deserializer())) {
                consumer = created;
                if (closed) {
                    return;
                }
                List<TopicPartition> partitions = new ArrayList<>();
                for (int p = 0; p < topic.partitions(); p++) {
                    partitions.add(new TopicPartition(topic.name(), p));
                }
                created.assign(partitions);
                created.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = null;
                while (end == null) {
                    try {
                        end = created.endOffsets(partitions, END_OFFSETS_TIMEOUT);
                    } catch (org.apache.kafka.common.errors.TimeoutException unreachable) {
                        // Asked again of the same consumer, whose reconnect backoff keeps growing to 30 s: a new one
                        // would start again at 1 s and log a failed connection every few seconds.
                        if (closed) {
                            return;
                        }
                    }
                }
                ModelCatalog catalog = ModelCatalog.EMPTY;
                boolean announced = false;
                while (!closed) {
                    boolean changed = false;
                    for (ConsumerRecord<String, ModelVersion> record : created.poll(POLL)) {
                        catalog = record.value() == null ? catalog.without(record.key()) : catalog.with(record.value());
                        changed = true;
                    }
                    boolean whole = end.entrySet().stream().allMatch(e -> created.position(e.getKey()) >= e.getValue());
                    if (whole && (changed || !announced)) {
                        failures = 0;
                        current = catalog;
                        announce(catalog);
                        announced = true;
                        caughtUp.countDown();
                    }
                }
            } catch (WakeupException e) {
                return;
            } catch (KafkaException | IllegalStateException e) {
                if (closed) {
                    return;
                }
                LOG.warn(
                        "reading the model versions on {} failed, retrying in {}: {}",
                        topic.name(),
                        RETRY,
                        e.toString());
                sleep(RETRY);
            } finally {
                consumer = null;
            }
        }
    }

    private void announce(ModelCatalog catalog) {
        try {
            listener.accept(catalog);
        } catch (RuntimeException e) {
            // A listener that cannot act on this change (a model directory that does not load) must not stop the
            // watcher: the next change may be one it can act on.
            LOG.error("acting on the model versions on {} failed: {}", topic.name(), e.toString(), e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        KafkaConsumer<String, ModelVersion> live = consumer;
        if (live != null) {
            live.wakeup();
        }
        Thread running;
        synchronized (this) {
            running = thread;
        }
        if (running != null) {
            try {
                running.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
