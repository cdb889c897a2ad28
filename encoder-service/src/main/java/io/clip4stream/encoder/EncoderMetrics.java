package io.clip4stream.encoder;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.Set;

/** The encoder's Prometheus metrics: batch sizes, throughput, lag, backpressure, transactions and rejected records. */
public final class EncoderMetrics {

    private static final long THROUGHPUT_WINDOW_NANOS = 10_000_000_000L;

    private final Histogram batchFrames;
    private final Histogram embedSeconds;
    private final Counter framesEmbedded;
    private final Counter framesReused;
    private final Counter framesReencoded;
    private final Gauge framesPerSecond;
    private final Counter forwarded;
    private final Counter batches;
    private final Counter rejected;
    private final Counter transactions;
    private final Gauge lag;
    private final Gauge pendingFrames;
    private final Gauge paused;
    private final Counter pauses;
    private final Gauge assignedPartitions;
    private final ThroughputWindow throughput;

    /** Registers the metrics on {@code registry}. */
    public EncoderMetrics(PrometheusRegistry registry) {
        batchFrames = Histogram.builder()
                .name("clip4stream_encoder_batch_frames")
                .help("Frames per embedded micro-batch (one forward pass).")
                .classicOnly()
                .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
                .register(registry);
        embedSeconds = Histogram.builder()
                .name("clip4stream_encoder_embed_seconds")
                .help("Time the visual encoder spent on one micro-batch.")
                .classicOnly()
                .register(registry);
        framesEmbedded = Counter.builder()
                .name("clip4stream_encoder_frames_embedded_total")
                .help("Frame embeddings committed to the output topic.")
                .register(registry);
        framesReused = Counter.builder()
                .name("clip4stream_encoder_frames_reused_total")
                .help("Frame embeddings committed that the static-scene gate reused from the last encoded frame of the"
                        + " same source instead of running the model (a subset of frames embedded).")
                .register(registry);
        framesReencoded = Counter.builder()
                .name("clip4stream_encoder_reencoded_frames_total")
                .help("Frame embeddings committed for frames that ingest decoded again from kept media for a model"
                        + " version with another CLIP visual encoder, by that version (a subset of frames embedded).")
                .labelNames("model_version")
                .register(registry);
        framesPerSecond = Gauge.builder()
                .name("clip4stream_encoder_frames_per_second")
                .help("Frames embedded and committed per second over the last 10 seconds.")
                .register(registry);
        batches = Counter.builder()
                .name("clip4stream_encoder_batches_total")
                .help("Micro-batches (forward passes) whose outputs were committed.")
                .register(registry);
        forwarded = Counter.builder()
                .name("clip4stream_encoder_records_forwarded_total")
                .help("Clip boundaries and end-of-source markers forwarded in order.")
                .register(registry);
        rejected = Counter.builder()
                .name("clip4stream_encoder_records_rejected_total")
                .help("Input records sent to the errors topic, by error type.")
                .labelNames("error_type")
                .register(registry);
        transactions = Counter.builder()
                .name("clip4stream_encoder_transactions_total")
                .help("Kafka transactions by outcome (committed, aborted).")
                .labelNames("outcome")
                .register(registry);
        lag = Gauge.builder()
                .name("clip4stream_encoder_consumer_lag_records")
                .help("Committed input records not yet read, per assigned partition (read_committed).")
                .labelNames("partition")
                .register(registry);
        pendingFrames = Gauge.builder()
                .name("clip4stream_encoder_pending_frames")
                .help("Frames read from Kafka and waiting for a batch or for the encoder.")
                .register(registry);
        paused = Gauge.builder()
                .name("clip4stream_encoder_consumer_paused")
                .help("1 while the consumer is paused because the pending-frame bound is reached.")
                .register(registry);
        pauses = Counter.builder()
                .name("clip4stream_encoder_consumer_pauses_total")
                .help("How many times the consumer was paused since start.")
                .register(registry);
        assignedPartitions = Gauge.builder()
                .name("clip4stream_encoder_assigned_partitions")
                .help("Input partitions assigned to this instance.")
                .register(registry);
        throughput = new ThroughputWindow(THROUGHPUT_WINDOW_NANOS, System.nanoTime());
    }

    /** Records one committed batch. */
    synchronized void batchCommitted(int frames, int forwardedRecords, double embedSecondsTaken, long nowNanos) {
        batchFrames.observe(frames);
        embedSeconds.observe(embedSecondsTaken);
        framesEmbedded.inc(frames);
        forwarded.inc(forwardedRecords);
        batches.inc();
        throughput.record(frames, nowNanos);
        framesPerSecond.set(throughput.framesPerSecond(nowNanos));
    }

    /** Records committed frames whose embedding the static-scene gate reused. */
    void framesReused(int frames) {
        if (frames > 0) {
            framesReused.inc(frames);
        }
    }

    /** Records committed frames re-encoded from kept media, by the model version they were encoded for. */
    void framesReencoded(Map<String, Integer> byVersion) {
        byVersion.forEach(
                (version, frames) -> framesReencoded.labelValues(version).inc(frames));
    }

    /** Frames re-encoded for {@code version} committed so far. */
    public long framesReencoded(String version) {
        // Read without labelValues, which would create the series.
        return (long) framesReencoded.collect().getDataPoints().stream()
                .filter(p -> version.equals(p.getLabels().get("model_version")))
                .mapToDouble(p -> p.getValue())
                .sum();
    }

    /** Records a committed transaction. */
    void transactionCommitted() {
        transactions.labelValues("committed").inc();
    }

    /** Records a rejected input record. */
    void rejected(String errorType) {
        rejected.labelValues(errorType).inc();
    }

    /** Records an aborted transaction. */
    void aborted() {
        transactions.labelValues("aborted").inc();
    }

    /** Refreshes the throughput gauge so it decays while idle. */
    synchronized void tick(long nowNanos) {
        framesPerSecond.set(throughput.framesPerSecond(nowNanos));
    }

    /** Sets the lag of every assigned partition, removing partitions no longer assigned. */
    void lag(Map<String, Long> lagByPartition) {
        lag.removeIf(labels -> !lagByPartition.containsKey(labels.get(0)));
        lagByPartition.forEach(
                (partition, records) -> lag.labelValues(partition).set(records));
    }

    /** Sets the backpressure gauges. */
    void flow(int pending, boolean isPaused) {
        pendingFrames.set(pending);
        paused.set(isPaused ? 1 : 0);
    }

    /** Counts one pause. */
    void pausedOnce() {
        pauses.inc();
    }

    /** Sets the assignment gauge. */
    void assigned(Set<?> partitions) {
        assignedPartitions.set(partitions.size());
    }

    /** Frame embeddings committed so far. */
    public long framesEmbedded() {
        return (long) framesEmbedded.get();
    }

    /** Micro-batches committed so far. */
    public long batchesCommitted() {
        return (long) batches.get();
    }

    /** Transactions committed so far (each holds one or more micro-batches). */
    public long transactionsCommitted() {
        return (long) transactions.labelValues("committed").get();
    }

    /** Times the consumer was paused so far. */
    public long pauses() {
        return (long) pauses.get();
    }

    /** Total lag over the assigned partitions, as last observed. */
    public long totalLag() {
        return (long) lag.collect().getDataPoints().stream()
                .mapToDouble(p -> p.getValue())
                .sum();
    }
}
