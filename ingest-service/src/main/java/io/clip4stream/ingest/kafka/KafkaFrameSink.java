package io.clip4stream.ingest.kafka;

import io.clip4stream.ingest.run.Checkpoint;
import io.clip4stream.ingest.run.FrameSink;
import io.clip4stream.ingest.run.SinkFailedException;
import io.clip4stream.ingest.run.SourceFencedException;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.IngestStatus;
import io.clip4stream.schemas.avro.SampledFrame;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Writes one source's frames, boundaries, end marker and status in Kafka transactions, one per clip.
 *
 * <p>The transactional id is derived from the source id, so whichever instance runs the source next fences the
 * previous one ({@link #claim()} calls {@code initTransactions}, which also aborts its open transaction) and then reads
 * the last committed status to know where to resume. Downstream readers use {@code read_committed}, so they never
 * see the frames of a clip whose boundary was not committed, and a resumed run never repeats a committed clip.
 *
 * <p>Kafka errors leave as the run's vocabulary: fencing as {@link SourceFencedException}, everything else (broker
 * unavailable, transaction timed out or aborted, invalid transaction state) as {@link SinkFailedException}, so a
 * run never mistakes them for bad input.
 */
public final class KafkaFrameSink implements FrameSink {
    private final KafkaClientSettings kafka;
    private final Topics topics;
    private final String sourceId;
    private final byte[] key;
    /** Real Kafka producers; the config holds every setting, the serializers are raw bytes. */
    public static final Function<Map<String, Object>, Producer<byte[], byte[]>> KAFKA_PRODUCERS =
            config -> new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());

    private final Producer<byte[], byte[]> producer;
    private boolean inTransaction;

    /**
     * A sink for {@code sourceId}; {@code transactionTimeout} must exceed the time one clip takes to arrive (live
     * streams: window / fps).
     */
    public KafkaFrameSink(
            KafkaClientSettings kafka, Topics topics, String instanceId, String sourceId, Duration transactionTimeout) {
        this(kafka, topics, instanceId, sourceId, transactionTimeout, KAFKA_PRODUCERS);
    }

    /** A sink whose producer comes from {@code producers} (given the full producer config). */
    public KafkaFrameSink(
            KafkaClientSettings kafka,
            Topics topics,
            String instanceId,
            String sourceId,
            Duration transactionTimeout,
            Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        this(
                kafka,
                topics,
                instanceId + "-" + sourceId,
                sourceId,
                transactionalId(topics, sourceId),
                transactionTimeout,
                producers);
    }

    /**
     * A sink for {@code sourceId}'s records under {@code transactionalId}: another lane of the source (a re-encoding
     * for a model version) uses its own id, so it never fences the source's own run nor is fenced by it.
     */
    public KafkaFrameSink(
            KafkaClientSettings kafka,
            Topics topics,
            String clientId,
            String sourceId,
            String transactionalId,
            Duration transactionTimeout,
            Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        this.kafka = kafka;
        this.topics = topics;
        this.sourceId = sourceId;
        this.key = topics.frames()
                .keySerde()
                .serializer()
                .serialize(topics.frames().name(), sourceId);
        Map<String, Object> config = kafka.transactionalProducer(clientId, transactionalId);
        config.put("transaction.timeout.ms", (int) transactionTimeout.toMillis());
        config.putIfAbsent("linger.ms", 5);
        config.putIfAbsent("max.request.size", Topics.MAX_MESSAGE_BYTES);
        this.producer = producers.apply(config);
    }

    /** The transactional id of a source: stable across instances, so a new owner fences the old one. */
    public static String transactionalId(Topics topics, String sourceId) {
        return topics.frames().name() + ".ingest." + sourceId;
    }

    @Override
    public Checkpoint claim() {
        fence();
        int partitions = guard(
                        "look up the status topic",
                        () -> producer.partitionsFor(topics.ingestStatus().name()))
                .size();
        int partition = Utils.toPositive(Utils.murmur2(sourceId.getBytes(StandardCharsets.UTF_8))) % partitions;
        return Checkpoint.of(guard(
                "read the last committed status",
                () -> StatusView.readLatest(kafka, topics.ingestStatus(), partition, sourceId)));
    }

    @Override
    public void frame(SampledFrame frame) {
        send(topics.frames(), new FrameStreamRecord(frame));
    }

    @Override
    public void boundary(ClipBoundary boundary) {
        send(topics.frames(), new FrameStreamRecord(boundary));
    }

    @Override
    public void end(EndOfSource end) {
        send(topics.frames(), new FrameStreamRecord(end));
    }

    /**
     * Fences every earlier producer with this sink's transactional id (aborting its open transaction) and reads nothing:
     * {@link #claim()} without the checkpoint, for a lane that always starts from the beginning.
     */
    public void fence() {
        guard("claim the source", producer::initTransactions);
    }

    @Override
    public void commit(IngestStatus status) {
        send(topics.ingestStatus(), status);
        commitRecords();
    }

    /** Commits the records sent since the last commit without writing a status; with none sent there is nothing to do. */
    public void commitRecords() {
        if (!inTransaction) {
            return;
        }
        guard("commit a transaction", producer::commitTransaction);
        inTransaction = false;
    }

    @Override
    public void abort() {
        if (inTransaction) {
            guard("abort a transaction", producer::abortTransaction);
            inTransaction = false;
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private <V> void send(Topic<String, V> topic, V value) {
        if (!inTransaction) {
            guard("begin a transaction", producer::beginTransaction);
            inTransaction = true;
        }
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        guard("send to " + topic.name(), () -> producer.send(new ProducerRecord<>(topic.name(), key, bytes)));
    }

    private void guard(String action, Runnable body) {
        guard(action, () -> {
            body.run();
            return null;
        });
    }

    private <T> T guard(String action, Supplier<T> body) {
        try {
            return body.get();
        } catch (KafkaException e) {
            RuntimeException translated = translate(sourceId, action, e);
            if (translated instanceof SourceFencedException) {
                // A fenced producer can neither commit nor abort; other errors may still be aborted (a live retry).
                inTransaction = false;
            }
            throw translated;
        }
    }

    /**
     * The run's view of a Kafka error: fencing (another producer with this transactional id, or an epoch bumped by a
     * broker that aborted a timed-out transaction) is {@link SourceFencedException}, anything else is
     * {@link SinkFailedException}; either way the producer is done and the next run starts with a new one.
     */
    static RuntimeException translate(String sourceId, String action, KafkaException e) {
        if (e instanceof ProducerFencedException
                || e instanceof InvalidProducerEpochException
                || e.getCause() instanceof ProducerFencedException
                || e.getCause() instanceof InvalidProducerEpochException) {
            return new SourceFencedException(sourceId, e);
        }
        return new SinkFailedException(sourceId, action, e);
    }
}
