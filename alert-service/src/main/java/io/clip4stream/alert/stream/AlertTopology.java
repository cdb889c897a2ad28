package io.clip4stream.alert.stream;

import io.clip4stream.schemas.avro.Alert;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.StandingQuery;
import io.clip4stream.schemas.frames.FrameEncoding;
import io.clip4stream.schemas.topic.AlertTopics;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The alert service's only wiring, called by {@code AlertService} and by the topology tests.
 *
 * <pre>
 *  standing-queries ── global store ── StandingQueryRegistry (encoded once per model version)
 *                                              │
 *  clip-vectors ── re-key by source ── ClipMatcher (moments, calibration) ── alerts
 * </pre>
 *
 * <p>Clip vectors are keyed by clip id; merging a source's clips into moments needs them all in one task, so they
 * are re-keyed by source id (without their thumbnails, and without their frame embeddings unless the model's tight
 * head re-scores candidates with them).
 */
public final class AlertTopology {

    /** Name of the open-moment store (source id, NUL, query id to {@code MomentState} bytes). */
    public static final String MOMENT_STORE = "alert-moments";

    /** Name of the calibration store (query id to {@code ScoreSketch} bytes). */
    public static final String CALIBRATION_STORE = "alert-calibration";

    /** Name of the per-source next clip index store (clips are matched in clip-index order). */
    public static final String ORDER_STORE = "alert-clip-order";

    /** Name of the store of clips that arrived before an earlier clip of their source. */
    public static final String PENDING_STORE = "alert-pending-clips";

    /** Name of the global standing-queries store. */
    public static final String QUERY_STORE = "standing-queries";

    private AlertTopology() {}

    /**
     * Adds the alert topology to {@code builder}.
     *
     * @param builder the builder
     * @param topics the pipeline topics (clip vectors are read)
     * @param alertTopics standing queries (read) and alerts (written)
     * @param registry filled from the standing-queries table, read by the matcher
     * @param calibrationFlush how often calibration is written to its store
     * @param clock wall clock for the alerts' update times
     * @param observer sees every scored clip
     */
    public static void build(
            StreamsBuilder builder,
            Topics topics,
            AlertTopics alertTopics,
            StandingQueryRegistry registry,
            Duration calibrationFlush,
            LongSupplier clock,
            MatchObserver observer) {
        Topic<String, StandingQuery> queries = alertTopics.standingQueries();
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                Stores.inMemoryKeyValueStore(QUERY_STORE), queries.keySerde(), queries.valueSerde())
                        .withLoggingDisabled(),
                queries.name(),
                Consumed.with(queries.keySerde(), queries.valueSerde()),
                () -> new QueryTableUpdater(registry));

        Topic<String, ClipVector> clipVectors = topics.clipVectors();
        Topic<String, Alert> alerts = alertTopics.alerts();
        builder.stream(clipVectors.name(), Consumed.with(clipVectors.keySerde(), clipVectors.valueSerde()))
                .filter((clipId, clip) -> clip != null, Named.as("indexed-clips"))
                .map(
                        (clipId, clip) -> org.apache.kafka.streams.KeyValue.pair(
                                clip.getSourceId(),
                                slim(clip, registry.tightScorer().isPresent())),
                        Named.as("by-source"))
                .repartition(Repartitioned.with(Serdes.String(), clipVectors.valueSerde())
                        .withName("clips-by-source"))
                .process(
                        matcher(registry, calibrationFlush, clock, observer, clipVectors.valueSerde()),
                        Named.as("clip-matcher"))
                .to(alerts.name(), Produced.with(alerts.keySerde(), alerts.valueSerde()));
    }

    private static ClipVector slim(ClipVector clip, boolean keepFrames) {
        ClipVector.Builder slim = ClipVector.newBuilder(clip).setThumbnailJpeg(java.nio.ByteBuffer.allocate(0));
        // The tight head scores text against frames: only a model with one needs them re-partitioned.
        return keepFrames
                ? slim.build()
                : slim.setFrameEmbeddings(List.of())
                        .setPackedFrameEmbeddings(java.nio.ByteBuffer.allocate(0))
                        .setFrameEncoding(FrameEncoding.FLOAT32.configName())
                        .build();
    }

    private static ProcessorSupplier<String, ClipVector, String, Alert> matcher(
            StandingQueryRegistry registry,
            Duration calibrationFlush,
            LongSupplier clock,
            MatchObserver observer,
            org.apache.kafka.common.serialization.Serde<ClipVector> clipSerde) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<String, ClipVector, String, Alert> get() {
                return new ClipMatcher(
                        registry,
                        MOMENT_STORE,
                        CALIBRATION_STORE,
                        ORDER_STORE,
                        PENDING_STORE,
                        calibrationFlush,
                        clock,
                        observer);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(
                        Stores.keyValueStoreBuilder(
                                        Stores.inMemoryKeyValueStore(MOMENT_STORE), Serdes.String(), Serdes.ByteArray())
                                .withLoggingEnabled(Map.of())
                                .withCachingDisabled(),
                        Stores.keyValueStoreBuilder(
                                        Stores.inMemoryKeyValueStore(ORDER_STORE), Serdes.String(), Serdes.Long())
                                .withLoggingEnabled(Map.of())
                                .withCachingDisabled(),
                        Stores.keyValueStoreBuilder(
                                        Stores.inMemoryKeyValueStore(PENDING_STORE), Serdes.String(), clipSerde)
                                .withLoggingEnabled(Map.of())
                                .withCachingDisabled(),
                        Stores.keyValueStoreBuilder(
                                        Stores.inMemoryKeyValueStore(CALIBRATION_STORE),
                                        Serdes.String(),
                                        Serdes.ByteArray())
                                .withLoggingEnabled(Map.of())
                                .withCachingDisabled());
            }
        };
    }

    /** Keeps the global store and the registry in step with the standing-queries topic. */
    private static final class QueryTableUpdater implements Processor<String, StandingQuery, Void, Void> {
        private final StandingQueryRegistry registry;
        private KeyValueStore<String, StandingQuery> store;

        QueryTableUpdater(StandingQueryRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(QUERY_STORE);
            // A restored global store is loaded without this processor: register what it already holds.
            try (KeyValueIterator<String, StandingQuery> all = store.all()) {
                all.forEachRemaining(entry -> registry.put(entry.value));
            }
        }

        @Override
        public void process(Record<String, StandingQuery> record) {
            if (record.value() == null) {
                store.delete(record.key());
                registry.remove(record.key());
            } else {
                store.put(record.key(), record.value());
                registry.put(record.value());
            }
        }
    }
}
