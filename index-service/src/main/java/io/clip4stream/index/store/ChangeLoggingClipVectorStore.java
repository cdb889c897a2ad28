package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.serde.AvroSerde;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;

/**
 * Decorates a clip vector store so that every change is also written to the store's changelog: the Avro clip under its
 * {@link ClipKey} for a put, a tombstone for each removed clip; the changelog topic is compacted, so it holds exactly
 * the store's contents and replaying it rebuilds the store.
 *
 * <p>This is Kafka's own {@code ChangeLoggingKeyValueBytesStore} shape; like it, it reaches the changelog through the
 * internal processor context, the only way Streams offers a store to write its changelog.
 */
public final class ChangeLoggingClipVectorStore implements ClipVectorStore {

    private static final AvroSerde<ClipVector> SERDE = AvroSerde.of(ClipVector.class);

    private final ClipVectorStore inner;
    private InternalProcessorContext<?, ?> context;

    /** Wraps {@code inner}. */
    public ChangeLoggingClipVectorStore(ClipVectorStore inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    /** Decodes a changelog value written by this class; the restore path of every store uses it. */
    public static ClipVector decode(byte[] value) {
        return SERDE.decode(value);
    }

    /** Encodes a clip as this class writes it to the changelog. */
    public static byte[] encode(ClipVector clip) {
        return SERDE.encode(clip);
    }

    @Override
    public void init(StateStoreContext stateStoreContext, StateStore root) {
        if (!(stateStoreContext instanceof InternalProcessorContext<?, ?> internal)) {
            throw new IllegalStateException("store " + name() + " needs Kafka Streams' processor context to write its"
                    + " changelog; got " + stateStoreContext.getClass().getName());
        }
        this.context = internal;
        inner.init(stateStoreContext, root);
    }

    @Override
    public void put(ClipVector clip) {
        inner.put(clip);
        log(ClipKey.of(clip), encode(clip));
    }

    @Override
    public void delete(ClipKey key) {
        inner.delete(key);
        log(key, null);
    }

    @Override
    public List<ClipKey> deleteSource(String sourceId) {
        List<ClipKey> removed = inner.deleteSource(sourceId);
        removed.forEach(key -> log(key, null));
        return removed;
    }

    @Override
    public List<ClipKey> expire(String sourceId, long endBeforeMicros) {
        List<ClipKey> removed = inner.expire(sourceId, endBeforeMicros);
        removed.forEach(key -> log(key, null));
        return removed;
    }

    private void log(ClipKey key, byte[] value) {
        long timestamp = context.recordContext() == null
                ? context.currentSystemTimeMs()
                : context.recordContext().timestamp();
        context.logChange(
                name(), Bytes.wrap(key.toBytes()), value, timestamp, new RecordHeaders(), inner.getPosition());
    }

    @Override
    public Collection<SourceSpan> sourceSpans() {
        return inner.sourceSpans();
    }

    @Override
    public void refresh() {
        inner.refresh();
    }

    @Override
    public List<ClipHit> nearest(float[] query, int k, ClipFilter filter) {
        return inner.nearest(query, k, filter);
    }

    @Override
    public List<ClipVector> clipVersions(String clipId) {
        return inner.clipVersions(clipId);
    }

    @Override
    public List<ClipVector> clips(ClipFilter filter, int limit) {
        return inner.clips(filter, limit);
    }

    @Override
    public Optional<Long> searchableUpTo(String sourceId) {
        return inner.searchableUpTo(sourceId);
    }

    @Override
    public Map<String, Long> searchableUpTo() {
        return inner.searchableUpTo();
    }

    @Override
    public long visibleClips() {
        return inner.visibleClips();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void flush() {
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        inner.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }

    @Override
    public String toString() {
        return "ChangeLogging(" + inner + ")";
    }
}
