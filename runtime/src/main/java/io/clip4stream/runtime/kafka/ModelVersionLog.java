package io.clip4stream.runtime.kafka;

import io.clip4stream.schemas.avro.ModelVersion;
import io.clip4stream.schemas.topic.Topic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment's record of model versions, on the compacted {@code models} topic: every service reads it whole at
 * start-up, refuses a model that does not fit it (naming both), and then records its own model.
 *
 * <p>It lives in Kafka rather than beside a service's state so that it survives what local state does not: an index
 * restored from its changelog onto a fresh disk, a new encoder or query instance, a service on another machine.
 */
public final class ModelVersionLog {
    private static final Logger LOG = LoggerFactory.getLogger(ModelVersionLog.class);

    private final KafkaClientSettings kafka;
    private final Topic<String, ModelVersion> topic;
    private final Duration timeout;
    private final Clock clock;

    /** A log on {@code topic} through {@code kafka}, each read or write bounded by {@code timeout}. */
    public ModelVersionLog(
            KafkaClientSettings kafka, Topic<String, ModelVersion> topic, Duration timeout, Clock clock) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Reads every recorded version, the latest record of each, in the order they were first recorded. */
    public List<ServedModel> read() {
        return readRecords().stream().map(ServedModel::of).toList();
    }

    private List<ModelVersion> readRecords() {
        Map<String, Object> settings = kafka.consumer("model-version-log-" + topic.name(), null);
        settings.remove("group.id");
        settings.put("enable.auto.commit", false);
        Map<String, ModelVersion> versions = new LinkedHashMap<>();
        try (KafkaConsumer<String, ModelVersion> consumer = new KafkaConsumer<>(
                settings, new StringDeserializer(), topic.valueSerde().deserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < topic.partitions(); p++) {
                partitions.add(new TopicPartition(topic.name(), p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Instant deadline = clock.instant().plus(timeout);
            while (!caughtUp(consumer, end)) {
                if (clock.instant().isAfter(deadline)) {
                    throw new KafkaUnavailableException(
                            "could not read the model versions on " + topic.name() + " within " + timeout,
                            new TimeoutException());
                }
                for (ConsumerRecord<String, ModelVersion> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        versions.remove(record.key());
                    } else {
                        versions.put(record.key(), record.value());
                    }
                }
            }
        } catch (KafkaException e) {
            throw new KafkaUnavailableException("could not read the model versions on " + topic.name(), e);
        }
        return List.copyOf(versions.values());
    }

    /**
     * Checks {@code loaded} against the recorded versions and, when it fits, records it (once: an identical record is
     * not written again).
     *
     * @return the fit it was checked against, for notes such as {@link ModelFit#unindexedNote}
     * @throws IllegalStateException naming both models when it does not fit
     */
    public ModelFit checkAndRecord(String service, ServedModel loaded) {
        ModelCatalog catalog = readCatalog();
        ModelFit fit = new ModelFit(catalog.models());
        fit.mismatch(loaded).ifPresent(reason -> {
            throw new IllegalStateException(
                    service + " refuses to start: " + reason + " (recorded on " + topic.name() + ")");
        });
        fit.unindexedNote(loaded).ifPresent(note -> LOG.warn("{}: {}", service, note));
        if (!fit.version(loaded.modelVersion()).map(loaded::equals).orElse(false)) {
            ModelVersion.Builder record = ModelVersion.newBuilder(loaded.toRecord(service, clock.millis()));
            // A version that a model change manages keeps its status and weights location when a service re-records it.
            catalog.record(loaded.modelVersion())
                    .ifPresent(previous ->
                            record.setStatus(previous.getStatus()).setWeightsLocation(previous.getWeightsLocation()));
            publish(service, record.build());
            LOG.info("{}: recorded model {} on {}", service, loaded.describe(), topic.name());
        }
        return fit;
    }

    /** Reads every version's latest record as a {@link ModelCatalog}. */
    public ModelCatalog readCatalog() {
        ModelCatalog catalog = ModelCatalog.EMPTY;
        for (ModelVersion record : readRecords()) {
            catalog = catalog.with(record);
        }
        return catalog;
    }

    /**
     * Writes {@code record} as its version's latest record ({@code writer} names the client) and waits for the
     * broker's acknowledgement.
     */
    public void publish(String writer, ModelVersion record) {
        Map<String, Object> settings = kafka.producer(writer + "-model-version-log");
        try (KafkaProducer<String, ModelVersion> producer = new KafkaProducer<>(
                settings, new StringSerializer(), topic.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), record.getModelVersion(), record))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new KafkaUnavailableException(
                    "could not record model version " + record.getModelVersion() + " on " + topic.name(),
                    e instanceof ExecutionException ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException(
                    "interrupted while recording model version " + record.getModelVersion(), e);
        }
    }

    private static boolean caughtUp(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (consumer.position(partition.getKey()) < partition.getValue()) {
                return false;
            }
        }
        return true;
    }
}
