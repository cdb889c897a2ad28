package io.clip4stream.encoder;

import io.clip4stream.model.Clip4ClipModel;
import io.clip4stream.model.ModelInfo;
import io.clip4stream.schemas.avro.EmbeddingStreamRecord;
import io.clip4stream.schemas.avro.FrameStreamRecord;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.topic.Topics;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encoder's consume → batch → embed → produce loop, exactly once: outputs and the input offsets they consumed are
 * committed in one Kafka transaction ({@code sendOffsetsToTransaction} with the consumer's group metadata). A
 * transaction holds the micro-batches finished within the commit interval (at least one), so a small model is not
 * throttled by commit round trips, and is committed at once when the encoder has nothing else in flight.
 *
 * <p>One thread (the caller of {@link #run}) owns both Kafka clients; the visual encoder runs on a second thread, so
 * the next batch is read, decoded and normalised while the current one is embedded, and a batch is produced while the
 * next one is embedded. At most one batch is embedded at a time and at most {@code maxPendingFrames} frames wait
 * beside it: at that bound the consumer is paused, so memory stays bounded when the encoder is the bottleneck.
 *
 * <p>Live frames are encoded with the active model of {@link EncoderModels}, frames that ingest decoded again from kept
 * media for version V ({@code reencodeFor = V}) with V's; one batch may hold both, each model embedding its own frames
 * within the batch's one encoder task.
 *
 * <p>Records that cannot be processed (unknown schema, corrupt bytes, a frame of the wrong size, a frame re-encoded for
 * a version this encoder cannot serve) go to the errors topic in the same transaction, in order, and the loop goes on.
 * A failed transaction is aborted and the partitions are rewound to their committed offsets; a fenced producer or a
 * failing model stops the loop with an {@link EncoderException}.
 */
public final class EncodeLoop implements Runnable {

    /** The stage name written into error records. */
    public static final String STAGE = "encoder";

    private static final Logger LOG = LoggerFactory.getLogger(EncodeLoop.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(200);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private record Embedded(float[][] vectors, long nanos) {}

    /** A batch being embedded, and its plan (what each input becomes). */
    private record InFlight(
            FrameBatcher.Batch<TopicPartition, EncoderInput> batch,
            BatchPlan plan,
            CompletableFuture<Embedded> result) {}

    private final Topics topics;
    private final String transactionalId;
    private final EncoderModels models;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final EncoderMetrics metrics;
    private final InstantSource clock;
    private final FrameBatcher<TopicPartition, EncoderInput> batcher;
    private final int maxBatchFrames;
    private final RecordClassifier classifier;
    private final StaticSceneGate gate;
    private final Serializer<EmbeddingStreamRecord> embeddingSerializer;
    private final Serializer<PipelineError> errorSerializer;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile Set<TopicPartition> assigned = Set.of();

    // Owned by the loop thread.
    private ExecutorService encoderThread;
    private InFlight inFlight;
    private boolean paused;
    private boolean rewindNeeded;
    private boolean closing;
    private final TransactionLedger<TopicPartition> transaction;

    /**
     * Creates a loop over the given clients that only ever encodes with {@code model} (no model changes); it owns the
     * clients from {@link #run} on and closes them when it ends.
     *
     * @param config batch size, wait, backpressure bound, topics and transactional id
     * @param model the loaded model (2D patch); owned by the caller
     * @param consumer a read_committed consumer of raw bytes with auto-commit off
     * @param producer a transactional producer of raw bytes, not yet initialised
     * @param metrics where to report
     * @param clock time stamps of error records
     */
    public EncodeLoop(
            EncoderConfig config,
            Clip4ClipModel model,
            Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer,
            EncoderMetrics metrics,
            InstantSource clock) {
        this(config, EncoderModels.only(model), consumer, producer, metrics, clock);
    }

    /**
     * Creates a loop over the given clients encoding with {@code models}; it owns the clients from {@link #run} on and
     * closes them when it ends.
     *
     * @param config batch size, wait, backpressure bound, topics and transactional id
     * @param models the active model and the models of re-encodes (2D patch); owned by the caller
     * @param consumer a read_committed consumer of raw bytes with auto-commit off
     * @param producer a transactional producer of raw bytes, not yet initialised
     * @param metrics where to report
     * @param clock time stamps of error records
     */
    public EncodeLoop(
            EncoderConfig config,
            EncoderModels models,
            Consumer<byte[], byte[]> consumer,
            Producer<byte[], byte[]> producer,
            EncoderMetrics metrics,
            InstantSource clock) {
        this.topics = config.topics();
        this.transactionalId = config.transactionalId();
        this.models = Objects.requireNonNull(models, "models");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxBatchFrames = config.maxBatchFrames();
        this.transaction = new TransactionLedger<>(config.commitInterval().toNanos());
        this.batcher = new FrameBatcher<>(config.maxBatchFrames(), config.maxWait(), config.maxPendingFrames());
        Deserializer<FrameStreamRecord> frames = topics.frames().valueSerde().deserializer();
        String framesTopic = topics.frames().name();
        this.classifier = new RecordClassifier(
                bytes -> frames.deserialize(framesTopic, bytes), models::snapshot, models::knowing);
        this.gate = new StaticSceneGate(config.staticScene());
        this.embeddingSerializer = topics.frameEmbeddings().valueSerde().serializer();
        this.errorSerializer = topics.errors().valueSerde().serializer();
    }

    /** Runs until {@link #stop()} or a fatal error; closes both clients before returning. */
    @Override
    public void run() {
        encoderThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "encoder-model-" + transactionalId));
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(topics.frames().name()), new Rebalance());
            started.countDown();
            ModelInfo info = models.active().info();
            LOG.info(
                    "Encoder {} reading {} with model {} {} on {} (batches of <= {} frames)",
                    transactionalId,
                    topics.frames().name(),
                    models.active().encoding().modelId(),
                    models.active().version(),
                    info.device(),
                    maxBatchFrames);
            while (running) {
                cycle();
            }
            if (inFlight != null && !rewindNeeded) {
                InFlight last = inFlight;
                inFlight = null;
                produce(last); // a clean stop commits the batch being embedded instead of redoing it
            }
            if (transaction.isOpen() && !rewindNeeded) {
                commit();
            }
        } catch (RuntimeException | Error e) {
            failure = e;
            LOG.error("Encoder {} stopped: {}", transactionalId, e.toString(), e);
            throw e;
        } finally {
            // Closing the consumer revokes its partitions; nothing may be produced from here on.
            closing = true;
            inFlight = null;
            encoderThread.shutdownNow();
            closeQuietly(() -> consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT)));
            closeQuietly(() -> producer.close(CLOSE_TIMEOUT));
            assigned = Set.of();
            started.countDown();
            stopped.countDown();
        }
    }

    /** Asks the loop to finish the batch in flight and return; does not wait. */
    public void stop() {
        running = false;
        wakeupQuietly();
    }

    /** Waits until the loop subscribed (or ended); returns whether it is running. */
    public boolean awaitStarted(Duration timeout) throws InterruptedException {
        return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && stopped.getCount() > 0;
    }

    /** Waits until the loop has returned; returns whether it has. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the loop is subscribed and has not ended. */
    public boolean isRunning() {
        return started.getCount() == 0 && stopped.getCount() > 0;
    }

    /** The error that ended the loop, or {@code null}. */
    public Throwable failure() {
        return failure;
    }

    /** The input partitions currently assigned to this loop. */
    public Set<TopicPartition> assignedPartitions() {
        return assigned;
    }

    private void cycle() {
        if (rewindNeeded) {
            rewind();
            return;
        }
        long now = System.nanoTime();
        if (transaction.due(now)) {
            commit();
            return;
        }
        if (inFlight != null && inFlight.result().isDone()) {
            InFlight done = inFlight;
            // Start embedding the next batch first, so producing this one overlaps with the encoder.
            inFlight = null;
            submitNext(now);
            produce(done);
            return;
        }
        if (inFlight == null && submitNext(now)) {
            return;
        }
        if (inFlight == null && transaction.isOpen()) {
            commit(); // nothing is being embedded: do not hold finished outputs back
            return;
        }
        flowControl();
        long waitNanos =
                inFlight != null ? IDLE_POLL.toNanos() : Math.min(batcher.nanosUntilReady(now), IDLE_POLL.toNanos());
        waitNanos = transaction.nanosUntilDue(now, waitNanos);
        if (inFlight != null && paused) {
            // The pending bound is reached: wait for the encoder (or the commit deadline), not for more records.
            awaitQuietly(inFlight.result(), waitNanos);
            return;
        }
        poll(Duration.ofNanos(waitNanos));
    }

    private static void awaitQuietly(CompletableFuture<?> future, long nanos) {
        try {
            future.get(nanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // the outcome is read where the batch is produced
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EncoderException("interrupted while waiting for the visual encoder", e);
        }
    }

    private void poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(timeout);
        } catch (WakeupException e) {
            return; // the encoder finished a batch, or stop() was called
        }
        if (rewindNeeded) {
            return; // these records follow an aborted batch; the rewind reads them again
        }
        long arrival = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            EncoderInput incoming = classify(record);
            batcher.add(
                    new TopicPartition(record.topic(), record.partition()),
                    incoming,
                    incoming instanceof EncoderInput.Frame,
                    arrival);
        }
        Map<String, Long> lag = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            OptionalLong partitionLag = consumer.currentLag(partition);
            if (partitionLag.isPresent()) {
                lag.put(Integer.toString(partition.partition()), partitionLag.getAsLong());
            }
        }
        metrics.lag(lag);
        metrics.tick(arrival);
        flowControl();
    }

    private void flowControl() {
        if (batcher.full()) {
            Set<TopicPartition> toPause = new HashSet<>(consumer.assignment());
            toPause.removeAll(consumer.paused());
            if (!toPause.isEmpty()) {
                consumer.pause(toPause);
            }
            if (!paused) {
                paused = true;
                metrics.pausedOnce();
            }
        } else if (paused) {
            consumer.resume(consumer.paused());
            paused = false;
        }
        metrics.flow(batcher.pendingFrames(), paused);
    }

    private boolean submitNext(long now) {
        var next = batcher.next(now);
        if (next.isEmpty()) {
            return false;
        }
        FrameBatcher.Batch<TopicPartition, EncoderInput> batch = next.get();
        BatchPlan plan = BatchPlan.prepare(
                batch.entries().stream().map(FrameBatcher.Entry::item).toList(), gate);
        if (plan.framesToEmbed() == 0) {
            inFlight = new InFlight(batch, plan, CompletableFuture.completedFuture(new Embedded(new float[0][], 0)));
            return true;
        }
        CompletableFuture<Embedded> result = CompletableFuture.supplyAsync(
                () -> {
                    long start = System.nanoTime();
                    float[][] vectors = plan.embed();
                    return new Embedded(vectors, System.nanoTime() - start);
                },
                encoderThread);
        result.whenComplete((r, e) -> wakeupQuietly());
        inFlight = new InFlight(batch, plan, result);
        return true;
    }

    /** Sends a batch's outputs, in input order, into the open transaction (opening one if needed). */
    private void produce(InFlight done) {
        var batch = done.batch();
        Embedded embedded;
        try {
            embedded = done.result().join();
        } catch (CompletionException e) {
            throw new EncoderException(
                    "the visual encoder failed on a batch of " + batch.frames() + " frames from partitions "
                            + batch.lanes() + " (model versions " + done.plan().versions() + ")",
                    e.getCause());
        }
        BatchPlan.Outputs outputs = done.plan().outputs(embedded.vectors());
        String embeddingsTopic = topics.frameEmbeddings().name();
        String errorsTopic = topics.errors().name();
        try {
            if (!transaction.isOpen()) {
                producer.beginTransaction();
                transaction.opened(System.nanoTime());
            }
            List<FrameBatcher.Entry<TopicPartition, EncoderInput>> entries = batch.entries();
            for (int i = 0; i < entries.size(); i++) {
                BatchPlan.Output out = outputs.records().get(i);
                if (out.error()) {
                    send(errorsTopic, out.key(), errorSerializer.serialize(errorsTopic, (PipelineError) out.value()));
                } else {
                    send(
                            embeddingsTopic,
                            out.key(),
                            embeddingSerializer.serialize(embeddingsTopic, (EmbeddingStreamRecord) out.value()));
                }
                transaction.consumed(
                        entries.get(i).lane(), entries.get(i).item().offset());
            }
        } catch (ProducerFencedException
                | OutOfOrderSequenceException
                | AuthorizationException
                | UnsupportedVersionException e) {
            throw fenced(e);
        } catch (KafkaException e) {
            abort(batch.frames() + " frames from " + batch.lanes(), e);
            return;
        }
        transaction.produced(new TransactionLedger.Produced(
                batch.frames(),
                outputs.forwarded(),
                embedded.nanos(),
                outputs.rejectedTypes(),
                outputs.reused(),
                outputs.reencoded()));
    }

    /** Commits the open transaction: its outputs together with the input offsets they consumed. */
    private void commit() {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            transaction.nextOffsets().forEach((partition, next) -> offsets.put(partition, new OffsetAndMetadata(next)));
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException
                | OutOfOrderSequenceException
                | AuthorizationException
                | UnsupportedVersionException e) {
            throw fenced(e);
        } catch (KafkaException e) {
            abort(transaction.batches().size() + " batches up to offsets " + transaction.nextOffsets(), e);
            return;
        }
        long now = System.nanoTime();
        for (TransactionLedger.Produced produced : transaction.batches()) {
            metrics.batchCommitted(produced.frames(), produced.forwarded(), produced.embedNanos() / 1e9, now);
            metrics.framesReused(produced.reused());
            metrics.framesReencoded(produced.reencoded());
            produced.rejectedTypes().forEach(metrics::rejected);
        }
        metrics.transactionCommitted();
        transaction.clear();
    }

    private EncoderException fenced(KafkaException e) {
        return new EncoderException(
                "encoder " + transactionalId + " can no longer write transactions (another instance with the same"
                        + " CLIP4S_ENCODER_INSTANCE_ID, or missing rights)",
                e);
    }

    private void abort(String what, KafkaException cause) {
        LOG.warn(
                "Encoder {}: the transaction for {} failed ({}); aborting and re-reading from the committed offsets",
                transactionalId,
                what,
                cause.toString());
        if (transaction.isOpen()) {
            try {
                producer.abortTransaction();
            } catch (KafkaException e) {
                e.addSuppressed(cause);
                throw new EncoderException("encoder " + transactionalId + " cannot abort a failed transaction", e);
            }
        }
        transaction.clear();
        metrics.aborted();
        rewindNeeded = true;
    }

    /** After an abort: drops everything read past the committed offsets and reads it again. */
    private void rewind() {
        if (inFlight != null) {
            inFlight.result().handle((r, e) -> null).join();
            inFlight = null;
        }
        batcher.clear();
        gate.clear(); // references to frames of aborted batches must not outlive them
        Set<TopicPartition> partitions = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = null;
        for (int attempt = 0; committed == null; attempt++) {
            try {
                committed = consumer.committed(partitions, Duration.ofSeconds(30));
            } catch (WakeupException e) {
                if (!running || attempt > 3) {
                    return; // stopping; nothing was committed past the offsets the next owner will read
                }
            }
        }
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = committed.get(partition);
            if (offset == null) {
                fromStart.add(partition);
            } else {
                consumer.seek(partition, offset.offset());
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
        rewindNeeded = false;
        flowControl();
    }

    private void send(String topic, byte[] key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
    }

    private EncoderInput classify(ConsumerRecord<byte[], byte[]> record) {
        return switch (classifier.classify(record.value())) {
            case RecordClassifier.Frame frame ->
                new EncoderInput.Frame(record.key(), record.offset(), frame.frame(), frame.model());
            case RecordClassifier.PassOn passOn ->
                new EncoderInput.PassOn(record.key(), record.offset(), passOn.output());
            case RecordClassifier.Reject reject -> {
                LOG.warn(
                        "Encoder {}: {}-{}@{} rejected ({}): {}",
                        transactionalId,
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        reject.errorType(),
                        reject.message());
                yield new EncoderInput.Rejected(
                        record.key(),
                        record.offset(),
                        RecordClassifier.error(
                                reject,
                                STAGE,
                                record.topic(),
                                record.partition(),
                                record.offset(),
                                record.key(),
                                clock.millis()));
            }
        };
    }

    private void wakeupQuietly() {
        try {
            consumer.wakeup();
        } catch (RuntimeException e) {
            LOG.debug("wakeup after close ignored", e);
        }
    }

    private static void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.warn("closing a Kafka client failed: {}", e.toString());
        }
    }

    /** Finishes the batch in flight before partitions move, and forgets what was read of them. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || closing) {
                return;
            }
            if (inFlight != null) {
                InFlight last = inFlight;
                inFlight = null;
                last.result().handle((r, e) -> null).join();
                produce(last);
            }
            if (transaction.isOpen()) {
                // Commit under the current generation, before the partitions' next owner reads their offsets.
                commit();
            }
            int dropped = batcher.dropLanes(partitions);
            gate.clear(); // the sources of those partitions move on elsewhere; a later return starts afresh
            forget(partitions);
            LOG.info(
                    "Encoder {}: partitions {} revoked; {} read but unprocessed records left to their next owner",
                    transactionalId,
                    partitions,
                    dropped);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            if (inFlight != null) {
                inFlight.result().handle((r, e) -> null).join();
                inFlight = null;
                rewindNeeded = true; // its offsets can no longer be committed; re-read what is still ours
            }
            if (transaction.isOpen()) {
                abort("partitions " + partitions + " lost", new KafkaException("partitions lost: " + partitions));
            }
            batcher.dropLanes(partitions);
            gate.clear();
            forget(partitions);
            LOG.warn("Encoder {}: partitions {} lost", transactionalId, partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            Set<TopicPartition> now = new HashSet<>(assigned);
            now.addAll(partitions);
            assigned = Set.copyOf(now);
            metrics.assigned(assigned);
            if (!partitions.isEmpty()) {
                LOG.info("Encoder {}: partitions {} assigned", transactionalId, partitions);
            }
        }

        private void forget(Collection<TopicPartition> partitions) {
            Set<TopicPartition> now = new HashSet<>(assigned);
            now.removeAll(partitions);
            assigned = Set.copyOf(now);
            metrics.assigned(assigned);
        }
    }
}
