package io.clip4stream.index.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What queries may do with a clip vector store: nearest-neighbour search and freshness, never writes. */
public interface ReadOnlyClipVectorStore {

    /**
     * Returns at most {@code k} clips that pass {@code filter}, most similar to {@code query} (a unit vector) first.
     *
     * @throws IllegalArgumentException when {@code k < 1} or the query is empty
     * @throws org.apache.kafka.streams.errors.ProcessorStateException when the index cannot be read
     */
    List<ClipHit> nearest(float[] query, int k, ClipFilter filter);

    /** The newest clip end time (source time, microseconds) of {@code sourceId} that queries can already see. */
    Optional<Long> searchableUpTo(String sourceId);

    /** {@link #searchableUpTo(String)} for every source with a visible clip. */
    Map<String, Long> searchableUpTo();

    /** How many clip vectors (all model versions) queries can see. */
    long visibleClips();
}
