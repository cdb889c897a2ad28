package io.clip4stream.ingest.kafka;

import io.clip4stream.ingest.run.SourceRun;
import io.clip4stream.ingest.source.ResolvedSource;
import io.clip4stream.ingest.source.SourceRejectedException;
import io.clip4stream.runtime.kafka.KafkaClientSettings;
import io.clip4stream.schemas.avro.IngestRequest;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.avro.SourceKind;
import io.clip4stream.schemas.topic.Topic;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes the request topic in the instances' shared group. Live requests go to the registry; file requests run
 * here, and their partition is paused until the run ends, when the offset is committed, so a request whose instance
 * dies is run again by the next owner (and resumes after its last committed clip). Undecodable records go to the
 * errors topic.
 */
public final class RequestWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestWorker.class);

    private final KafkaConsumer<String, IngestRequest> consumer;
    private final Topic<String, IngestRequest> topic;
    private final Intake intake;
    private final SourceRunner runner;
    private final Thread thread;
    private final Map<TopicPartition, Long> inFlight = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<TopicPartition> finished = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile boolean assigned;

    /** A worker in {@code groupId}. */
    public RequestWorker(
            KafkaClientSettings kafka,
            Topic<String, IngestRequest> topic,
            String groupId,
            String clientId,
            Intake intake,
            SourceRunner runner) {
        Map<String, Object> config = kafka.consumer(clientId, groupId);
        config.putIfAbsent("max.poll.records", 10);
        this.consumer = new KafkaConsumer<>(
                config, new StringDeserializer(), topic.valueSerde().deserializer());
        this.topic = topic;
        this.intake = intake;
        this.runner = runner;
        this.thread = new Thread(this::loop, clientId);
        thread.setDaemon(true);
    }

    /** Starts consuming. */
    public RequestWorker start() {
        thread.start();
        return this;
    }

    /** Whether the worker joined its group and got its partitions. */
    public boolean ready() {
        return assigned;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            // Intake decides from the status view. A view still replaying the status topic (a restarted instance) sees
            // a half-ingested source as unknown, writes ACCEPTED over its progress, and the run that claims it then
            // resumes from clip 0, committing its first clips a second time (ClusterEndToEndIT saw exactly that).
            while (running && !intake.caughtUp()) {
                Thread.sleep(50);
            }
            consumer.subscribe(List.of(topic.name()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    partitions.forEach(inFlight::remove);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assigned = true;
                }
            });
            while (running) {
                commitFinished();
                try {
                    for (ConsumerRecord<String, IngestRequest> record : consumer.poll(Duration.ofMillis(200))) {
                        handle(record);
                    }
                } catch (RecordDeserializationException e) {
                    reportUndecodable(e);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.warn("Request worker woken up unexpectedly", e);
            }
        } catch (KafkaException e) {
            LOG.error("Request worker stopped", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(ConsumerRecord<String, IngestRequest> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        IngestRequest request = record.value();
        if (request == null) {
            commit(tp, record.offset());
            return;
        }
        try {
            ResolvedSource source = intake.check(request);
            if (request.getKind() == SourceKind.LIVE) {
                intake.accept(request);
                intake.producer().register(request);
                commit(tp, record.offset());
                return;
            }
            if (intake.alreadyDone(request.getSourceId())) {
                LOG.info(
                        "Source {} is already done; request {} ignored", request.getSourceId(), request.getRequestId());
                commit(tp, record.offset());
                return;
            }
            intake.accept(request);
            intake.rememberMedia(request, source);
            consumer.pause(List.of(tp));
            inFlight.put(tp, record.offset());
            CompletableFuture<SourceRun.Result> result = runner.start(request, source);
            result.whenComplete((r, e) -> finished.add(tp));
        } catch (SourceRejectedException e) {
            LOG.info("Request {} for {} refused: {}", request.getRequestId(), request.getSourceId(), e.getMessage());
            commit(tp, record.offset());
        }
    }

    private void commitFinished() {
        TopicPartition tp;
        while ((tp = finished.poll()) != null) {
            Long offset = inFlight.remove(tp);
            if (offset != null) {
                commit(tp, offset);
                consumer.resume(List.of(tp));
            }
        }
    }

    private void commit(TopicPartition tp, long offset) {
        try {
            consumer.commitSync(Map.of(tp, new OffsetAndMetadata(offset + 1)));
        } catch (KafkaException e) {
            LOG.warn("Cannot commit {} at {}; the request may run again (and resume)", tp, offset + 1, e);
        }
    }

    private void reportUndecodable(RecordDeserializationException e) {
        TopicPartition tp = e.topicPartition();
        LOG.warn("Undecodable request at {}@{}: {}", tp, e.offset(), e.getMessage());
        byte[] key = e.keyBuffer() == null ? null : bytes(e.keyBuffer());
        try {
            intake.producer()
                    .error(
                            key == null ? "" : new String(key, StandardCharsets.UTF_8),
                            PipelineError.newBuilder()
                                    .setStage("ingest")
                                    .setTopic(tp.topic())
                                    .setPartition(tp.partition())
                                    .setOffset(e.offset())
                                    .setKey(key == null ? null : ByteBuffer.wrap(key))
                                    .setErrorType(
                                            e.getCause() == null
                                                    ? e.getClass().getSimpleName()
                                                    : e.getCause().getClass().getSimpleName())
                                    .setMessage(String.valueOf(
                                            e.getCause() == null
                                                    ? e.getMessage()
                                                    : e.getCause().getMessage()))
                                    .setOccurredAtMillis(System.currentTimeMillis())
                                    .build());
        } catch (KafkaException failure) {
            LOG.error("Cannot report the undecodable request at {}@{}", tp, e.offset(), failure);
        }
        consumer.seek(tp, e.offset() + 1);
        commit(tp, e.offset());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
