package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
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

    /**
     * {@link #nearest}, where the hits' clips may come without their vector and frame embeddings: cheaper for a store
     * that keeps them apart, for a caller that sends neither (the same hits and scores otherwise).
     */
    default List<ClipHit> nearestWithoutFloats(float[] query, int k, ClipFilter filter) {
        return nearest(query, k, filter);
    }

    /** The newest clip end time (source time, microseconds) of {@code sourceId} that queries can already see. */
    Optional<Long> searchableUpTo(String sourceId);

    /** {@link #searchableUpTo(String)} for every source with a visible clip. */
    Map<String, Long> searchableUpTo();

    /**
     * Every visible stored version of clip {@code clipId}, one per model version that embedded it (empty when the
     * store does not hold it); used to search by example.
     *
     * @throws org.apache.kafka.streams.errors.ProcessorStateException when the index cannot be read
     */
    List<ClipVector> clipVersions(String clipId);

    /**
     * The visible clips stored under {@code keys} (those the store does not hold are left out), in no given order: a
     * lookup by exact key, for fetching the frame embeddings of known candidates.
     *
     * @throws org.apache.kafka.streams.errors.ProcessorStateException when the index cannot be read
     */
    default List<ClipVector> clipsByKey(java.util.Collection<ClipKey> keys) {
        List<ClipVector> found = new java.util.ArrayList<>();
        for (ClipKey key : keys) {
            clipVersions(key.clipId()).stream()
                    .filter(clip -> clip.getModelVersion().toString().equals(key.modelVersion()))
                    .findFirst()
                    .ifPresent(found::add);
        }
        return List.copyOf(found);
    }

    /**
     * At most {@code limit} visible clips passing {@code filter}, in {@link ClipVectorOrder#EARLIEST_FIRST} order; when more pass, which ones are
     * returned is unspecified, so callers ask for one more than they accept.
     *
     * @throws IllegalArgumentException when {@code limit < 1}
     * @throws org.apache.kafka.streams.errors.ProcessorStateException when the index cannot be read
     */
    List<ClipVector> clips(ClipFilter filter, int limit);

    /** How many clip vectors (all model versions) queries can see. */
    long visibleClips();

    /**
     * How many visible clips each model version holds (versions with none are absent), so that a search under a
     * version holding nothing can say where the clips are.
     *
     * @throws org.apache.kafka.streams.errors.ProcessorStateException when the index cannot be read
     */
    Map<String, Long> clipsPerModelVersion();

    /** How many index segments queries search (one per store that keeps no segments). */
    int visibleSegments();
}
