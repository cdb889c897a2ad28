package io.clip4stream.index.topology;

import io.clip4stream.index.IndexConfig;
import io.clip4stream.index.aggregate.ClipAggregator;
import io.clip4stream.index.lucene.LuceneClipStoreBuilder;
import io.clip4stream.index.rebuild.IndexModels;
import io.clip4stream.index.rebuild.RebuildProgress;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.PipelineError;
import io.clip4stream.schemas.serde.AvroSerde;
import io.clip4stream.schemas.topic.Topic;
import io.clip4stream.schemas.topic.Topics;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The index service's only wiring, called by {@code IndexService} and by the topology tests.
 *
 * <pre>
 *  frame-embeddings ─┐
 *                    ├─ ClipAssembler (frame buffer, progress, deletion markers) ─ ClipIndexer (clip index) ─┬─ clip-vectors
 *  source-deletions ─┘                                                                   └─ errors
 * </pre>
 *
 * <p>Provisional clips (a live source's growing clip, see {@link ClipAssembler}) go into the clip index only: the
 * indexer reports nothing for them, so {@code clip-vectors} carries each clip once, closed.
 *
 * <p>Both inputs are keyed by source id and partitioned alike, so a source's frames, boundaries, deletions and clips
 * all live in one task: no repartitioning is needed, and each partition's Lucene index is one shard.
 */
public final class IndexTopology {

    /** Name of the clip index store (and of its changelog, {@code <application.id>-clip-index-changelog}). */
    public static final String CLIP_STORE = "clip-index";

    /** Name of the assembler's frame buffer. */
    public static final String FRAME_STORE = "clip-frames";

    /** Name of the assembler's per-source progress. */
    public static final String PROGRESS_STORE = "clip-progress";

    /** Name of the assembler's deletion markers: deleted source id to the deletion's request time (millis). */
    public static final String DELETED_STORE = "deleted-sources";

    /**
     * Name of the indexer's re-encode markers: per version of another visual encoder, the sources whose kept media was
     * encoded again for it (or that have none), so a shard knows when it holds that version completely.
     */
    public static final String REENCODED_STORE = "reencoded-sources";

    private IndexTopology() {}

    /** Adds the index topology to {@code builder}; {@code aggregator} supplies the model's head. */
    public static void build(StreamsBuilder builder, IndexConfig config, ClipAggregator aggregator) {
        build(builder, config, aggregator, outcome -> {});
    }

    /**
     * Adds the index topology to {@code builder} and shows every outcome of the clip indexer to {@code observer} (the
     * service's metrics) before it goes to its topic.
     */
    public static void build(
            StreamsBuilder builder, IndexConfig config, ClipAggregator aggregator, Consumer<IndexOutcome> observer) {
        build(builder, config, aggregator, observer, report -> {});
    }

    /**
     * Adds the index topology to {@code builder}, showing every outcome of the clip indexer to {@code observer} and
     * every maintenance tick that did work to {@code maintenanceObserver} (the service's metrics).
     */
    public static void build(
            StreamsBuilder builder,
            IndexConfig config,
            ClipAggregator aggregator,
            Consumer<IndexOutcome> observer,
            Consumer<MaintenanceReport> maintenanceObserver) {
        build(builder, config, IndexModels.only(aggregator), new RebuildProgress(), observer, maintenanceObserver);
    }

    /**
     * Adds the index topology to {@code builder}, keeping vectors for every version of {@code models} (building missing
     * ones in the background, progress per shard to {@code rebuildProgress}), showing every outcome of the clip indexer
     * to {@code observer} and every maintenance tick that did work to {@code maintenanceObserver}.
     */
    public static void build(
            StreamsBuilder builder,
            IndexConfig config,
            IndexModels models,
            RebuildProgress rebuildProgress,
            Consumer<IndexOutcome> observer,
            Consumer<MaintenanceReport> maintenanceObserver) {
        Topics topics = config.topics();
        KStream<String, IndexEvent> embeddings = builder.stream(
                        topics.frameEmbeddings().name(), consumed(topics.frameEmbeddings()))
                .mapValues(record -> (IndexEvent) new IndexEvent.Embedding(record), Named.as("embedding-events"));
        KStream<String, IndexEvent> deletions = builder.stream(
                        topics.sourceDeletions().name(), consumed(topics.sourceDeletions()))
                .mapValues(deletion -> (IndexEvent) new IndexEvent.Deletion(deletion), Named.as("deletion-events"));

        KStream<String, IndexOutcome> outcomes = embeddings
                .merge(deletions, Named.as("index-events"))
                .process(assembler(config), Named.as("clip-assembler"))
                // The indexer reads the deletion markers too, to finish deletions a crash interrupted.
                .process(
                        indexer(config, models, rebuildProgress, maintenanceObserver),
                        Named.as("clip-indexer"),
                        DELETED_STORE)
                .peek((sourceId, outcome) -> observer.accept(outcome), Named.as("outcome-observer"));

        Topic<String, ClipVector> clipVectors = topics.clipVectors();
        Topic<String, PipelineError> errors = topics.errors();
        outcomes.split(Named.as("outcome-"))
                .branch(
                        (key, outcome) -> outcome instanceof IndexOutcome.Failed,
                        Branched.withConsumer(
                                failed -> failed.mapValues(outcome -> ((IndexOutcome.Failed) outcome).error())
                                        .to(errors.name(), Produced.with(errors.keySerde(), errors.valueSerde())),
                                "errors"))
                .defaultBranch(Branched.withConsumer(
                        changes -> changes.map(IndexTopology::toClipVectorRecord)
                                .to(
                                        clipVectors.name(),
                                        Produced.with(clipVectors.keySerde(), clipVectors.valueSerde())),
                        "clip-vectors"));
    }

    private static KeyValue<String, ClipVector> toClipVectorRecord(String sourceId, IndexOutcome outcome) {
        return switch (outcome) {
            case IndexOutcome.Indexed indexed ->
                KeyValue.pair(indexed.clip().getClipId().toString(), indexed.clip());
            case IndexOutcome.Removed removed -> KeyValue.pair(removed.key().clipId(), null);
            case IndexOutcome.Failed failed -> throw new IllegalStateException("errors are routed to their own topic");
        };
    }

    private static <V> Consumed<String, V> consumed(Topic<String, V> topic) {
        return Consumed.with(topic.keySerde(), topic.valueSerde());
    }

    private static ProcessorSupplier<String, IndexEvent, String, ClipWork> assembler(IndexConfig config) {
        return new ProcessorSupplier<>() {
            @Override
            public ClipAssembler get() {
                return new ClipAssembler(
                        FRAME_STORE, PROGRESS_STORE, DELETED_STORE, config.clipTimeout(), config.provisionalEvery());
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(
                        Stores.keyValueStoreBuilder(
                                        Stores.inMemoryKeyValueStore(FRAME_STORE),
                                        Serdes.String(),
                                        AvroSerde.of(FrameEmbedding.class))
                                .withLoggingEnabled(Map.of())
                                .withCachingDisabled(),
                        Stores.keyValueStoreBuilder(
                                        Stores.inMemoryKeyValueStore(PROGRESS_STORE),
                                        Serdes.String(),
                                        new SourceProgressSerde())
                                .withLoggingEnabled(Map.of())
                                .withCachingDisabled(),
                        Stores.keyValueStoreBuilder(
                                        Stores.inMemoryKeyValueStore(DELETED_STORE), Serdes.String(), Serdes.Long())
                                .withLoggingEnabled(Map.of())
                                .withCachingDisabled());
            }
        };
    }

    private static ProcessorSupplier<String, ClipWork, String, IndexOutcome> indexer(
            IndexConfig config,
            IndexModels models,
            RebuildProgress rebuildProgress,
            Consumer<MaintenanceReport> maintenanceObserver) {
        ClipIndexer.Maintenance maintenance = new ClipIndexer.Maintenance(
                config.retention(),
                config.retentionCheckInterval(),
                config.maintenanceInterval(),
                config.removalBudget(),
                config.rebuildBatch());
        return new ProcessorSupplier<>() {
            @Override
            public ClipIndexer get() {
                return new ClipIndexer(
                        CLIP_STORE,
                        DELETED_STORE,
                        REENCODED_STORE,
                        models,
                        rebuildProgress,
                        maintenance,
                        maintenanceObserver);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                return Set.of(
                        new LuceneClipStoreBuilder(
                                CLIP_STORE, config.hnsw(), config.shard(), config.luceneCommitInterval()),
                        Stores.keyValueStoreBuilder(
                                        Stores.inMemoryKeyValueStore(REENCODED_STORE), Serdes.String(), Serdes.String())
                                .withLoggingEnabled(Map.of())
                                .withCachingDisabled());
            }
        };
    }
}
