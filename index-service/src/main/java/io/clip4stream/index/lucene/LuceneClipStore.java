package io.clip4stream.index.lucene;

import io.clip4stream.index.store.ClipChangelog;
import io.clip4stream.index.store.ClipFilter;
import io.clip4stream.index.store.ClipHit;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.index.store.CompositeClipVectorStore;
import io.clip4stream.index.store.ReadOnlyClipVectorStore;
import io.clip4stream.index.store.Removal;
import io.clip4stream.index.store.RemovalBudget;
import io.clip4stream.index.store.SourceSpan;
import io.clip4stream.schemas.avro.ClipVector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.internals.StateStoreProvider;

/**
 * A stream task's clip store: the Kafka Streams state store adapter around a {@link ClipIndex} (which holds all the
 * Lucene work and knows nothing of Kafka).
 *
 * <p>This is the one class that uses Kafka Streams internals and deprecated store methods, on purpose, so that a
 * Kafka upgrade that moves them touches this file only: Streams offers a custom store no public way to write its
 * changelog (Kafka's own {@code ChangeLoggingKeyValueBytesStore} uses {@link InternalProcessorContext#logChange} as we
 * do), {@link QueryableStoreType#create} hands an interactive query the internal {@link StateStoreProvider}, and
 * Streams 4.x still calls {@link #flush()} and {@link #managesOffsets()} although it has deprecated them.
 *
 * <p>It manages its changelog offsets: {@link #commit(Map)} keeps the offsets Streams hands it and, at most every
 * commit interval and on close, makes a Lucene commit carrying them as commit user data; {@link #committedOffset}
 * reads them back, so after a clean restart Streams replays only the changelog past the last Lucene commit. After a
 * failover the store starts empty and its restore callback replays the changelog (puts and tombstones). With logging
 * on, every change is also written to the changelog: the Avro clip for a put, a tombstone per removed clip.
 *
 * <p>Every index failure becomes a {@link ProcessorStateException} naming the store and the operation.
 */
public final class LuceneClipStore implements ClipVectorStore {

    /** Default refresh interval: a new clip is searchable within about this long. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMillis(250);

    /** Default minimum time between Lucene commits (each fsyncs); a crash replays at most this much changelog. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(30);

    private static final String OFFSET_PREFIX = "changelog-offset:";

    private final String name;
    private final ClipIndex index;
    private final Duration commitInterval;
    private final boolean logged;
    private StateStoreContext context;
    private InternalProcessorContext<?, ?> changelog;
    private Position position = Position.emptyPosition();
    private Map<TopicPartition, Long> pendingOffsets = Map.of();
    private Map<TopicPartition, Long> committedOffsets = Map.of();
    private long lastCommitNanos;

    /** A closed store without a changelog; {@link #init} (in Streams) or {@link #open(Path)} (stand-alone) opens it. */
    public LuceneClipStore(String name, HnswSettings settings, Duration refreshInterval, Duration commitInterval) {
        this(name, settings, ShardSettings.of(refreshInterval), commitInterval, false);
    }

    /**
     * A closed store; with {@code logged}, {@link #init} requires Streams' processor context and every change is
     * written to the store's changelog.
     */
    public LuceneClipStore(
            String name, HnswSettings settings, ShardSettings shard, Duration commitInterval, boolean logged) {
        this.name = Objects.requireNonNull(name, "name");
        this.index = new ClipIndex(name, settings, shard);
        this.commitInterval = positive(commitInterval, "commitInterval");
        this.logged = logged;
    }

    private static Duration positive(Duration value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive; was " + value);
        }
        return value;
    }

    /** The interactive-query type of clip stores: one read-only view merging the top k of every local partition. */
    public static QueryableStoreType<ReadOnlyClipVectorStore> queryableType() {
        return new ClipStoreType();
    }

    /** Accepts clip stores by interface; see {@link CompositeClipVectorStore}. */
    private static final class ClipStoreType implements QueryableStoreType<ReadOnlyClipVectorStore> {
        @Override
        public boolean accepts(StateStore stateStore) {
            return stateStore instanceof ReadOnlyClipVectorStore;
        }

        @Override
        public ReadOnlyClipVectorStore create(StateStoreProvider storeProvider, String storeName) {
            return new CompositeClipVectorStore(() -> storeProvider.stores(storeName, this));
        }
    }

    @Override
    public void init(StateStoreContext stateStoreContext, StateStore root) {
        if (logged) {
            if (!(stateStoreContext instanceof InternalProcessorContext<?, ?> internal)) {
                throw new IllegalStateException("store " + name + " needs Kafka Streams' processor context to write"
                        + " its changelog; got " + stateStoreContext.getClass().getName());
            }
            this.changelog = internal;
        }
        this.context = stateStoreContext;
        open(stateStoreContext.stateDir().toPath().resolve(name));
        stateStoreContext.register(root, (BatchingStateRestoreCallback) this::restoreAll);
    }

    /** Opens (or creates) the index in {@code dir} and starts refreshing it; used directly outside Kafka Streams. */
    public void open(Path dir) {
        run(() -> index.open(dir));
        committedOffsets = parseOffsets(index.commitData());
        pendingOffsets = committedOffsets;
        lastCommitNanos = System.nanoTime();
    }

    private void restoreAll(Collection<KeyValue<byte[], byte[]>> records) {
        // Replaying the changelog: the index alone, never the changelog again.
        for (KeyValue<byte[], byte[]> record : records) {
            if (record.value == null) {
                run(() -> index.delete(ClipKey.fromBytes(record.key)));
            } else {
                ClipVector clip = ClipChangelog.decode(record.value);
                run(() -> index.put(clip));
            }
        }
    }

    @Override
    public void put(ClipVector clip) {
        run(() -> index.put(clip));
        trackPosition();
        log(ClipKey.of(clip), ClipChangelog.encode(clip));
    }

    @Override
    public void delete(ClipKey key) {
        run(() -> index.delete(key));
        trackPosition();
        log(key, null);
    }

    @Override
    public Removal remove(Map<String, Long> endBeforeMicros, RemovalBudget budget) {
        Removal removal = call(() -> index.remove(endBeforeMicros, budget));
        trackPosition();
        removal.removed().forEach(removed -> log(removed.key(), null));
        return removal;
    }

    private void trackPosition() {
        if (context == null) {
            return;
        }
        Optional<RecordMetadata> metadata = context.recordMetadata();
        // In a punctuation the metadata has no topic: no input record caused the change.
        metadata.filter(m -> m.topic() != null && m.offset() >= 0)
                .ifPresent(m -> position = position.withComponent(m.topic(), m.partition(), m.offset()));
    }

    private void log(ClipKey key, byte[] value) {
        if (changelog == null) {
            return;
        }
        long timestamp = changelog.recordContext() == null
                ? changelog.currentSystemTimeMs()
                : changelog.recordContext().timestamp();
        changelog.logChange(name, Bytes.wrap(key.toBytes()), value, timestamp, new RecordHeaders(), position);
    }

    @Override
    public Collection<SourceSpan> sourceSpans() {
        return index.sourceSpans();
    }

    @Override
    public void refresh() {
        run(index::refresh);
    }

    @Override
    public List<ClipHit> nearest(float[] query, int k, ClipFilter filter) {
        return call(() -> index.nearest(query, k, filter));
    }

    @Override
    public List<ClipHit> nearestWithoutFloats(float[] query, int k, ClipFilter filter) {
        return call(() -> index.nearestWithoutFloats(query, k, filter));
    }

    /** {@link #nearest(float[], int, ClipFilter)} with {@code searchCandidates} candidates (efSearch) for this search. */
    public List<ClipHit> nearest(float[] query, int k, ClipFilter filter, int searchCandidates) {
        return call(() -> index.nearest(query, k, filter, searchCandidates));
    }

    /**
     * {@link #nearestWithoutFloats(float[], int, ClipFilter)} with {@code searchCandidates} candidates (efSearch) for
     * this search.
     */
    public List<ClipHit> nearestWithoutFloats(float[] query, int k, ClipFilter filter, int searchCandidates) {
        return call(() -> index.nearestWithoutFloats(query, k, filter, searchCandidates));
    }

    @Override
    public List<ClipVector> clipVersions(String clipId) {
        return call(() -> index.clipVersions(clipId));
    }

    @Override
    public List<ClipVector> clipsByKey(java.util.Collection<ClipKey> keys) {
        return call(() -> index.clipsByKey(keys));
    }

    @Override
    public List<ClipVector> clips(ClipFilter filter, int limit) {
        return call(() -> index.clips(filter, limit));
    }

    @Override
    public Optional<Long> searchableUpTo(String sourceId) {
        return index.searchableUpTo(sourceId);
    }

    @Override
    public Map<String, Long> searchableUpTo() {
        return index.searchableUpTo();
    }

    @Override
    public long visibleClips() {
        return call(index::visibleClips);
    }

    @Override
    public java.util.Set<String> clipIds(String modelVersion) {
        return call(() -> index.clipIds(modelVersion));
    }

    @Override
    public Map<String, Long> clipsPerModelVersion() {
        return call(index::clipsPerModelVersion);
    }

    @Override
    public int visibleSegments() {
        return call(index::visibleSegments);
    }

    /** The work the index has done since it opened (refreshes, removal passes). */
    public IndexCounters counters() {
        return index.counters();
    }

    /** The merges the index has done since it opened, with their time and the idle merges among them. */
    public MergeCounters mergeCounters() {
        return index.mergeCounters();
    }

    /** Deprecated in Streams 4.x but still called by it: commits the index with the offsets it was last given. */
    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        commitLucene(pendingOffsets);
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        pendingOffsets = Map.copyOf(withoutNulls(changelogOffsets));
        if (System.nanoTime() - lastCommitNanos >= commitInterval.toNanos()) {
            commitLucene(pendingOffsets);
        }
    }

    private static Map<TopicPartition, Long> withoutNulls(Map<TopicPartition, Long> offsets) {
        Map<TopicPartition, Long> copy = new HashMap<>();
        offsets.forEach((partition, offset) -> {
            if (offset != null) {
                copy.put(partition, offset);
            }
        });
        return copy;
    }

    private void commitLucene(Map<TopicPartition, Long> offsets) {
        Map<String, String> userData = new TreeMap<>();
        offsets.forEach((partition, offset) -> userData.put(OFFSET_PREFIX + partition, Long.toString(offset)));
        run(() -> index.commit(userData));
        committedOffsets = offsets;
        lastCommitNanos = System.nanoTime();
    }

    private static Map<TopicPartition, Long> parseOffsets(Map<String, String> userData) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Map.Entry<String, String> entry : userData.entrySet()) {
            if (!entry.getKey().startsWith(OFFSET_PREFIX)) {
                continue;
            }
            String partition = entry.getKey().substring(OFFSET_PREFIX.length());
            int dash = partition.lastIndexOf('-');
            offsets.put(
                    new TopicPartition(partition.substring(0, dash), Integer.parseInt(partition.substring(dash + 1))),
                    Long.parseLong(entry.getValue()));
        }
        return offsets;
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return committedOffsets.get(partition);
    }

    /** The changelog offsets of the last Lucene commit, as stored in its commit user data. */
    public Map<TopicPartition, Long> committedOffsets() {
        return Map.copyOf(committedOffsets);
    }

    /** Deprecated in Streams 4.x but still asked: yes, this store keeps its changelog offsets in its Lucene commits. */
    @Override
    @SuppressWarnings("deprecation")
    public boolean managesOffsets() {
        return true;
    }

    /**
     * Expert: merges the index down to at most {@code maxSegments} segments, waits for it, commits and refreshes;
     * for benchmarks and offline compaction, never called by the topology.
     */
    public void forceMerge(int maxSegments) {
        run(() -> index.forceMerge(maxSegments));
        commitLucene(pendingOffsets);
        refresh();
    }

    /** The index directory (for size reports). */
    public Path path() {
        return index.path();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        if (!index.isOpen()) {
            return;
        }
        try {
            if (index.hasUncommittedChanges() || !pendingOffsets.equals(committedOffsets)) {
                commitLucene(pendingOffsets);
            }
        } finally {
            run(index::close);
        }
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return index.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(
            org.apache.kafka.streams.query.Query<R> query, PositionBound positionBound, QueryConfig config) {
        return QueryResult.forUnknownQueryType(query, this);
    }

    @Override
    public Position getPosition() {
        return position;
    }

    private void run(Runnable operation) {
        call(() -> {
            operation.run();
            return null;
        });
    }

    private <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (ClipIndexException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ProcessorStateException("store " + name + ": " + e.getMessage(), cause);
        }
    }

    @Override
    public String toString() {
        return "LuceneClipStore(" + index + (logged ? ", logged" : "") + ")";
    }
}
