package io.clip4stream.alert.feed;

import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.Alert;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the alerts topic (committed records only) and the ingest-status table from their beginning: keeps the
 * latest revision of the most recent alerts, how many alerts each query fired, and which sources exist; tells
 * listeners of each alert record in topic order.
 */
public final class AlertFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AlertFeed.class);

    private final KafkaConsumer<String, Object> consumer;
    private final Topic<String, Alert> alerts;
    private final Topic<String, IngestStatus> status;
    private final int capacity;
    private final Map<String, AlertView> recent;
    private final Set<String> seenAlertIds = new HashSet<>();
    private final Map<String, Long> firedByQuery = new ConcurrentHashMap<>();
    private final Set<String> sources = ConcurrentHashMap.newKeySet();
    private final List<Consumer<AlertView>> listeners = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** A feed reading {@code alerts} and {@code status} through {@code kafka}, keeping {@code capacity} alerts. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public AlertFeed(
            KafkaClientSettings kafka, Topic<String, Alert> alerts, Topic<String, IngestStatus> status, int capacity) {
        this.alerts = alerts;
        this.status = status;
        this.capacity = capacity;
        this.recent = new LinkedHashMap<>(16, 0.75f, false);
        Map<String, Object> config = kafka.consumer("alert-feed", "unused");
        config.remove("group.id");
        config.put("enable.auto.commit", "false");
        // Each topic has its own value type: decode in poll() by topic rather than with one deserializer.
        this.consumer = new KafkaConsumer<>(
                config, alerts.keySerde().deserializer(), (org.apache.kafka.common.serialization.Deserializer)
                        new TopicValueDecoder(alerts, status));
        this.thread = Thread.ofPlatform().name("alert-feed").daemon().unstarted(this::run);
    }

    /** Starts following. */
    public AlertFeed start() {
        thread.start();
        return this;
    }

    /** Calls {@code listener} with every alert record read from now on (on the feed's thread). */
    public void listen(Consumer<AlertView> listener) {
        listeners.add(listener);
    }

    /** Stops calling {@code listener}. */
    public void unlisten(Consumer<AlertView> listener) {
        listeners.remove(listener);
    }

    /** The most recent alerts (latest revision each), newest first, at most {@code limit}. */
    public synchronized List<AlertView> recent(int limit) {
        List<AlertView> all = new ArrayList<>(recent.values());
        Collections.reverse(all);
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    /** How many alerts {@code queryId} fired (distinct moments seen). */
    public long fired(String queryId) {
        return firedByQuery.getOrDefault(queryId, 0L);
    }

    /** Whether a source with id {@code sourceId} has an ingest status. */
    public boolean sourceKnown(String sourceId) {
        return sources.contains(sourceId);
    }

    private void run() {
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(alerts.name(), status.name())) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                ConsumerRecords<String, Object> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, Object> record : records) {
                    accept(record);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("the alert feed stopped: GET /alerts and source checks no longer follow Kafka", e);
        } finally {
            consumer.close();
        }
    }

    private void accept(ConsumerRecord<String, Object> record) {
        if (record.topic().equals(status.name())) {
            if (record.value() == null) {
                sources.remove(record.key());
            } else {
                sources.add(record.key());
            }
            return;
        }
        if (!(record.value() instanceof Alert alert)) {
            return;
        }
        AlertView view = AlertView.of(alert);
        synchronized (this) {
            if (seenAlertIds.add(alert.getAlertId())) {
                firedByQuery.merge(alert.getQueryId(), 1L, Long::sum);
            }
            recent.remove(alert.getAlertId());
            recent.put(alert.getAlertId(), view);
            if (recent.size() > capacity) {
                recent.remove(recent.keySet().iterator().next());
            }
        }
        for (Consumer<AlertView> listener : listeners) {
            listener.accept(view);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Decodes a record value with the serde of the topic it came from. */
    private record TopicValueDecoder(Topic<String, Alert> alerts, Topic<String, IngestStatus> status)
            implements org.apache.kafka.common.serialization.Deserializer<Object> {
        @Override
        public Object deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            if (topic.equals(alerts.name())) {
                return alerts.valueSerde().deserializer().deserialize(topic, data);
            }
            return status.valueSerde().deserializer().deserialize(topic, data);
        }
    }
}
