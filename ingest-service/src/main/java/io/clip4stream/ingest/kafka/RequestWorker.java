package io.clip4stream.ingest.kafka;

import io.clip4stream.ingest.run.RetryBackoff;
import io.clip4stream.ingest.run.RunVerdict;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
 * here, and their partition is paused until the run ends, so a request whose instance dies is run again by the next
 * owner (and resumes after its last committed clip). How the run ended decides what happens next
 * ({@link RunVerdict}): an end the source decided (done, bad input, deleted) commits the offset; a run cut short by
 * Kafka (or taken over by another run) leaves it uncommitted, and after a bounded exponential backoff the partition is
 * sought back to the request, which runs again and resumes after the last committed clip. Undecodable records go to
 * the errors topic.
 */
public final class RequestWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestWorker.class);

    private final KafkaConsumer<String, IngestRequest> consumer;
    private final Topic<String, IngestRequest> topic;
    private final Intake intake;
    private final SourceRunner runner;
    private final RetryBackoff backoff;
    private final Thread thread;
    // The three maps belong to the worker thread (the rebalance listener runs inside its poll); runs report through
    // the concurrent queue. A partition is paused while it has an entry in inFlight or waiting.
    private final Map<TopicPartition, Long> inFlight = new HashMap<>();
    private final Map<TopicPartition, Retry> waiting = new HashMap<>();
    private final Map<TopicPartition, Attempts> attempts = new HashMap<>();
    private final ConcurrentLinkedQueue<Finished> finished = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private volatile boolean assigned;

    /** A run of the request at {@code offset} ended with {@code verdict}. */
    private record Finished(TopicPartition tp, long offset, RunVerdict verdict) {}

    /** The request at {@code offset} runs again once {@code System.nanoTime()} passes {@code dueNanos}. */
    private record Retry(long offset, long dueNanos) {}

    /** The request at {@code offset} was cut short {@code count} times, the last time for {@code reason}. */
    private record Attempts(long offset, int count, String reason) {}

    /** A worker in {@code groupId}; requests cut short by infrastructure failures run again after {@code backoff}. */
    public RequestWorker(
            KafkaClientSettings kafka,
            Topic<String, IngestRequest> topic,
            String groupId,
            String clientId,
            Intake intake,
            SourceRunner runner,
            RetryBackoff backoff) {
        Map<String, Object> config = kafka.consumer(clientId, groupId);
        config.putIfAbsent("max.poll.records", 10);
        this.consumer = new KafkaConsumer<>(
                config, new StringDeserializer(), topic.valueSerde().deserializer());
        this.topic = topic;
        this.intake = intake;
        this.runner = runner;
        this.backoff = backoff;
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
                    // The next owner reads the uncommitted request again; its run fences one still going here.
                    partitions.forEach(tp -> {
                        inFlight.remove(tp);
                        waiting.remove(tp);
                        attempts.remove(tp);
                    });
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assigned = true;
                }
            });
            while (running) {
                settleFinished();
                resumeDue();
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
        if (inFlight.containsKey(tp) || waiting.containsKey(tp)) {
            // Fetched in the same batch as a request that paused the partition: read again once it resumes.
            return;
        }
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
            run(tp, record.offset(), request, source);
        } catch (SourceRejectedException e) {
            LOG.info("Request {} for {} refused: {}", request.getRequestId(), request.getSourceId(), e.getMessage());
            commit(tp, record.offset());
        } catch (KafkaException e) {
            // Intake could not write its status or the registry: the same request is worth another try, not a stop.
            consumer.pause(List.of(tp));
            later(tp, record.offset(), new RunVerdict(RunVerdict.Action.RETRY, "intake: " + e.getMessage()));
        }
    }

    private void run(TopicPartition tp, long offset, IngestRequest request, ResolvedSource source) {
        consumer.pause(List.of(tp));
        // Later records of this partition already fetched are skipped (see handle) and read again from here.
        consumer.seek(tp, offset + 1);
        inFlight.put(tp, offset);
        Attempts earlier = attempts.get(tp);
        String note = earlier != null && earlier.offset() == offset
                ? "resumed after " + earlier.count() + " interrupted run(s); last: " + earlier.reason()
                : null;
        try {
            runner.start(request, source, note)
                    .whenComplete(
                            (result, error) -> finished.add(new Finished(tp, offset, RunVerdict.of(result, error))));
        } catch (KafkaException e) {
            // The run's producer could not even be created.
            finished.add(new Finished(
                    tp, offset, new RunVerdict(RunVerdict.Action.RETRY, "cannot start the run: " + e.getMessage())));
        }
    }

    private void settleFinished() {
        Finished done;
        while ((done = finished.poll()) != null) {
            Long offset = inFlight.get(done.tp());
            if (offset == null || offset != done.offset()) {
                continue; // the partition moved (and maybe came back) meanwhile: its owner reads the request again
            }
            inFlight.remove(done.tp());
            RunVerdict verdict = done.verdict();
            switch (verdict.action()) {
                case COMMIT -> {
                    if (verdict.reason() != null) {
                        LOG.info("Request at {}@{} finished: {}", done.tp(), offset, verdict.reason());
                    }
                    attempts.remove(done.tp());
                    commit(done.tp(), offset);
                    consumer.resume(List.of(done.tp()));
                }
                case RETRY, YIELD -> later(done.tp(), offset, verdict);
            }
        }
    }

    /** Leaves the (paused) partition uncommitted and schedules the request at {@code offset} to be read again. */
    private void later(TopicPartition tp, long offset, RunVerdict verdict) {
        Attempts earlier = attempts.get(tp);
        int count = earlier != null && earlier.offset() == offset ? earlier.count() + 1 : 1;
        attempts.put(tp, new Attempts(offset, count, verdict.reason()));
        Duration delay = backoff.delay(count);
        LOG.warn(
                "Request at {}@{} not finished ({}: {}); reading it again in {} (attempt {})",
                tp,
                offset,
                verdict.action(),
                verdict.reason(),
                delay,
                count + 1);
        waiting.put(tp, new Retry(offset, System.nanoTime() + delay.toNanos()));
    }

    private void resumeDue() {
        long now = System.nanoTime();
        for (Iterator<Map.Entry<TopicPartition, Retry>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, Retry> entry = it.next();
            if (now - entry.getValue().dueNanos() >= 0) {
                it.remove();
                consumer.seek(entry.getKey(), entry.getValue().offset());
                consumer.resume(List.of(entry.getKey()));
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
