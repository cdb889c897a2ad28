package io.clip4stream.index.metrics;

import io.clip4stream.index.lucene.LuceneClipStore;
import io.clip4stream.index.rebuild.RebuildProgress;
import io.clip4stream.index.store.ReadOnlyClipVectorStore;
import io.clip4stream.index.topology.IndexOutcome;
import io.clip4stream.index.topology.MaintenanceReport;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;

/**
 * The index service's Prometheus metrics. Shard sizes and consumer lag are read when {@code /metrics} is scraped,
 * from the running Kafka Streams application and the state directory; the counters are fed by the topology's outcome
 * stream through {@link #observe(IndexOutcome)}. k-NN latency is the HTTP host's
 * {@code clip4stream_http_request_seconds{route="/v1/knn"}}.
 */
public final class IndexMetrics {
    private final Supplier<KafkaStreams> streams;
    private final String storeName;
    private final String inputTopic;
    private final Path applicationStateDir;
    private final Counter indexed;
    private final Counter removed;
    private final Counter failed;
    private final Gauge lastIndexed;
    private final Histogram maintenanceSeconds;
    private final Counter maintenanceCutShort;

    /**
     * Registers the metrics on {@code registry}.
     *
     * @param streams the Kafka Streams application (supplied: it is created after the metrics)
     * @param storeName the clip store's name
     * @param inputTopic the frame-embeddings topic, whose partitions are the shards
     * @param applicationStateDir the application's state directory ({@code state.dir/application.id}), holding one
     *     directory per task
     */
    public IndexMetrics(
            PrometheusRegistry registry,
            Supplier<KafkaStreams> streams,
            String storeName,
            String inputTopic,
            Path applicationStateDir) {
        this.streams = Objects.requireNonNull(streams, "streams");
        this.storeName = Objects.requireNonNull(storeName, "storeName");
        this.inputTopic = Objects.requireNonNull(inputTopic, "inputTopic");
        this.applicationStateDir = Objects.requireNonNull(applicationStateDir, "applicationStateDir");
        indexed = Counter.builder()
                .name("clip4stream_index_clips_indexed_total")
                .help("Clips aggregated and written to a local shard (work redone after an aborted transaction counts"
                        + " again).")
                .register(registry);
        removed = Counter.builder()
                .name("clip4stream_index_clips_removed_total")
                .help("Clips removed from a local shard by source deletion or retention.")
                .register(registry);
        failed = Counter.builder()
                .name("clip4stream_index_clip_failures_total")
                .help("Clips that could not be indexed and went to the errors topic.")
                .register(registry);
        lastIndexed = Gauge.builder()
                .name("clip4stream_index_last_indexed_timestamp_seconds")
                .help("Wall-clock time the newest clip was indexed here (time() minus this is the indexing age).")
                .register(registry);
        GaugeWithCallback.builder()
                .name("clip4stream_index_shard_clips")
                .help("Clip vectors visible to queries in each local active shard.")
                .labelNames("partition")
                .callback(callback -> shardClips().forEach((p, n) -> callback.call(n, Integer.toString(p))))
                .register(registry);
        maintenanceSeconds = Histogram.builder()
                .name("clip4stream_index_maintenance_seconds")
                .help("Time each removal pass (source deletions and retention, all due sources at once) held a stream"
                        + " thread; bounded by CLIP4S_INDEX_MAINTENANCE_BUDGET_MS.")
                .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
                .register(registry);
        maintenanceCutShort = Counter.builder()
                .name("clip4stream_index_maintenance_cut_short_total")
                .help("Removal passes that stopped at their budget and left work to the next pass.")
                .register(registry);
        GaugeWithCallback.builder()
                .name("clip4stream_index_segments")
                .help("Lucene segments (one HNSW graph each per vector width) queries search in each local active"
                        + " shard.")
                .labelNames("partition")
                .callback(callback -> shardSegments().forEach((p, n) -> callback.call(n, Integer.toString(p))))
                .register(registry);
        GaugeWithCallback.builder()
                .name("clip4stream_index_shard_bytes")
                .help("Bytes on disk of each local shard's state (Lucene index and changelogged stores).")
                .labelNames("partition")
                .callback(callback -> shardBytes().forEach((p, n) -> callback.call(n, Integer.toString(p))))
                .register(registry);
        GaugeWithCallback.builder()
                .name("clip4stream_index_consumer_lag_records")
                .help("Frame-embedding records not yet read, per assigned partition (read_committed).")
                .labelNames("partition")
                .callback(callback -> consumerLag().forEach((p, n) -> callback.call(n, p)))
                .register(registry);
    }

    /**
     * Registers the model-change gauges on {@code registry}: per model version and local shard, the clips still to
     * build ({@code 0} when the shard has caught up) and the clips the version should hold.
     */
    public static void observeRebuild(PrometheusRegistry registry, RebuildProgress progress) {
        GaugeWithCallback.builder()
                .name("clip4stream_index_rebuild_remaining_clips")
                .help("Clips each local shard still has to re-aggregate into each kept model version (0: caught up).")
                .labelNames("model_version", "partition")
                .callback(callback -> progress.byVersion()
                        .forEach((version, shards) -> shards.forEach(
                                (p, shard) -> callback.call(shard.remaining(), version, Integer.toString(p)))))
                .register(registry);
        GaugeWithCallback.builder()
                .name("clip4stream_index_rebuild_total_clips")
                .help("Clips each local shard should hold under each kept model version.")
                .labelNames("model_version", "partition")
                .callback(callback -> progress.byVersion()
                        .forEach((version, shards) -> shards.forEach(
                                (p, shard) -> callback.call(shard.total(), version, Integer.toString(p)))))
                .register(registry);
    }

    /** Counts one outcome of the clip indexer. */
    public void observe(IndexOutcome outcome) {
        switch (outcome) {
            case IndexOutcome.Indexed i -> {
                indexed.inc();
                lastIndexed.set(i.clip().getIndexedAtMillis() / 1000.0);
            }
            case IndexOutcome.Removed r -> removed.inc();
            case IndexOutcome.Failed f -> failed.inc();
        }
    }

    /** Records one removal pass of a shard's maintenance. */
    public void observeMaintenance(MaintenanceReport report) {
        maintenanceSeconds.observe(report.nanos() / 1e9);
        if (!report.complete()) {
            maintenanceCutShort.inc();
        }
    }

    /** Clips indexed so far by this instance. */
    public long clipsIndexed() {
        return (long) indexed.get();
    }

    private Map<Integer, Double> shardClips() {
        return perShard(shard -> (double) shard.visibleClips());
    }

    private Map<Integer, Double> shardSegments() {
        return perShard(shard -> (double) shard.visibleSegments());
    }

    private Map<Integer, Double> perShard(ToDoubleFunction<ReadOnlyClipVectorStore> figure) {
        Map<Integer, Double> sizes = new TreeMap<>();
        KafkaStreams running = streams.get();
        if (running == null) {
            return sizes;
        }
        for (int partition : localActivePartitions(running)) {
            try {
                ReadOnlyClipVectorStore shard =
                        running.store(StoreQueryParameters.fromNameAndType(storeName, LuceneClipStore.queryableType())
                                .withPartition(partition));
                sizes.put(partition, figure.applyAsDouble(shard));
            } catch (InvalidStateStoreException e) {
                // Rebalancing or restoring: the shard has no size to report until it is queryable again.
            }
        }
        return sizes;
    }

    private Map<Integer, Double> shardBytes() {
        Map<Integer, Double> bytes = new TreeMap<>();
        KafkaStreams running = streams.get();
        if (running == null || !Files.isDirectory(applicationStateDir)) {
            return bytes;
        }
        for (int partition : localActivePartitions(running)) {
            // Task directories are named <subtopology>_<partition>.
            try (Stream<Path> tasks = Files.list(applicationStateDir)) {
                double total = tasks.filter(d -> d.getFileName().toString().endsWith("_" + partition))
                        .mapToLong(IndexMetrics::sizeOf)
                        .sum();
                bytes.put(partition, total);
            } catch (IOException | UncheckedIOException e) {
                // A task directory vanished mid-walk (rebalance, cleanup): no figure this scrape.
            }
        }
        return bytes;
    }

    private Map<String, Double> consumerLag() {
        Map<String, Double> lag = new TreeMap<>();
        KafkaStreams running = streams.get();
        if (running == null) {
            return lag;
        }
        for (Map.Entry<MetricName, ? extends Metric> entry : running.metrics().entrySet()) {
            MetricName name = entry.getKey();
            if (name.name().equals("records-lag")
                    && name.group().equals("consumer-fetch-manager-metrics")
                    && inputTopic.equals(name.tags().get("topic"))
                    && entry.getValue().metricValue() instanceof Double value
                    && !value.isNaN()) {
                lag.put(name.tags().get("partition"), value);
            }
        }
        return lag;
    }

    private java.util.List<Integer> localActivePartitions(KafkaStreams running) {
        return running.metadataForLocalThreads().stream()
                .flatMap(thread -> thread.activeTasks().stream())
                .flatMap(task -> task.topicPartitions().stream())
                .filter(tp -> tp.topic().equals(inputTopic))
                .map(tp -> tp.partition())
                .sorted()
                .toList();
    }

    private static long sizeOf(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(file -> {
                        try {
                            return Files.size(file);
                        } catch (IOException e) {
                            // Deleted between listing and sizing (Lucene merges do that): it no longer takes space.
                            return 0;
                        }
                    })
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot size " + dir, e);
        }
    }
}
