package io.clip4stream.ingest.kafka;

import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SourceDeletion;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The idempotent (non-transactional) producer of intake: requests, the live-source registry, statuses written before
 * a run starts (ACCEPTED, refusals) or by a delete, source deletions and pipeline errors. Every send waits for the broker's acknowledgement.
 */
public final class IntakeProducer implements AutoCloseable {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Topics topics;
    private final KafkaProducer<String, byte[]> producer;

    /** A producer for {@code topics}. */
    public IntakeProducer(KafkaClientSettings kafka, Topics topics, String clientId) {
        this.topics = topics;
        this.producer =
                new KafkaProducer<>(kafka.producer(clientId), new StringSerializer(), new ByteArraySerializer());
    }

    /** Submits a request to the request topic. */
    public void request(IngestRequest request) {
        send(topics.ingestRequests(), request.getSourceId(), request);
    }

    /** Registers (or replaces) a live source in the compacted registry. */
    public void register(IngestRequest request) {
        send(topics.sources(), request.getSourceId(), request);
    }

    /** Removes a live source from the registry (a tombstone). */
    public void unregister(String sourceId) {
        sendRaw(topics.sources().name(), sourceId, null);
    }

    /** Writes a status. */
    public void status(IngestStatus status) {
        send(topics.ingestStatus(), status.getSourceId(), status);
    }

    /** Publishes a source deletion: every ingest instance stops the source and the index drops its clips. */
    public void deletion(SourceDeletion deletion) {
        send(topics.sourceDeletions(), deletion.getSourceId().toString(), deletion);
    }

    /** Writes a pipeline error. */
    public void error(String key, PipelineError error) {
        send(topics.errors(), key, error);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private <V> void send(Topic<String, V> topic, String key, V value) {
        sendRaw(topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value));
    }

    private void sendRaw(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new KafkaException(
                    "Cannot write " + key + " to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException(
                    "Kafka did not acknowledge " + key + " on " + topic + " within " + SEND_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("Interrupted while writing " + key + " to " + topic, e);
        }
    }
}
