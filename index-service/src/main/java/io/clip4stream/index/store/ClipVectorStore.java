package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;

/**
 * The read-write clip vector store a stream task owns; writes become visible to queries after the next refresh.
 *
 * <p>Every method throws {@link org.apache.kafka.streams.errors.ProcessorStateException} when the underlying storage
 * fails; none returns {@code null}.
 */
public interface ClipVectorStore extends StateStore, ReadOnlyClipVectorStore {

    /** Adds {@code clip}, replacing the clip with the same {@link ClipKey}. */
    void put(ClipVector clip);

    /** Removes the clip with {@code key} if it is held. */
    void delete(ClipKey key);

    /**
     * Removes, in one pass over the store, the clips of every source in {@code endBeforeMicros} that end before that
     * source's cutoff ({@link Long#MAX_VALUE}: every clip of the source, all model versions), doing no more than
     * {@code budget} allows; a pass that stops early says so, and calling again with the same cutoffs goes on.
     */
    Removal remove(Map<String, Long> endBeforeMicros, RemovalBudget budget);

    /** Removes every clip of {@code sourceId} (all model versions) and returns their keys. */
    default List<ClipKey> deleteSource(String sourceId) {
        return remove(Map.of(sourceId, Long.MAX_VALUE), RemovalBudget.UNLIMITED).keys();
    }

    /** Removes the clips of {@code sourceId} ending before {@code endBeforeMicros} and returns their keys. */
    default List<ClipKey> expire(String sourceId, long endBeforeMicros) {
        return remove(Map.of(sourceId, endBeforeMicros), RemovalBudget.UNLIMITED)
                .keys();
    }

    /**
     * The ids of the visible clips stored under {@code modelVersion}, for rebuilding a model version from another's
     * frame embeddings.
     */
    java.util.Set<String> clipIds(String modelVersion);

    /** What the store holds per source, including writes not yet visible to queries. */
    Collection<SourceSpan> sourceSpans();

    /** Makes every write so far visible to queries now; the store also does this on its own schedule. */
    void refresh();
}
