package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
import java.util.Collection;
import java.util.List;
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

    /** Removes every clip of {@code sourceId} (all model versions) and returns their keys. */
    List<ClipKey> deleteSource(String sourceId);

    /** Removes the clips of {@code sourceId} ending before {@code endBeforeMicros} and returns their keys. */
    List<ClipKey> expire(String sourceId, long endBeforeMicros);

    /** What the store holds per source, including writes not yet visible to queries. */
    Collection<SourceSpan> sourceSpans();

    /** Makes every write so far visible to queries now; the store also does this on its own schedule. */
    void refresh();
}
