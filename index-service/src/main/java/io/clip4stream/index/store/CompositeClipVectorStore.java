package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A read-only view over several partitions' stores: a k-NN query asks each for its top k and keeps the best k overall,
 * which equals the top k of the union because each partition's top k contains every one of its clips in the global top
 * k.
 */
public final class CompositeClipVectorStore implements ReadOnlyClipVectorStore {

    private final Supplier<List<ReadOnlyClipVectorStore>> stores;

    /** A view over the stores {@code stores} supplies at each call (partitions move during rebalances). */
    public CompositeClipVectorStore(Supplier<List<ReadOnlyClipVectorStore>> stores) {
        this.stores = Objects.requireNonNull(stores, "stores");
    }

    @Override
    public List<ClipHit> nearest(float[] query, int k, ClipFilter filter) {
        return best(k, store -> store.nearest(query, k, filter));
    }

    @Override
    public List<ClipHit> nearestWithoutFloats(float[] query, int k, ClipFilter filter) {
        return best(k, store -> store.nearestWithoutFloats(query, k, filter));
    }

    /** The best {@code k} of every store's own hits. */
    private List<ClipHit> best(int k, java.util.function.Function<ReadOnlyClipVectorStore, List<ClipHit>> search) {
        List<ClipHit> all = new ArrayList<>();
        for (ReadOnlyClipVectorStore store : stores.get()) {
            all.addAll(search.apply(store));
        }
        all.sort(ClipHit.BEST_FIRST);
        return List.copyOf(all.subList(0, Math.min(k, all.size())));
    }

    @Override
    public List<ClipVector> clipsByKey(java.util.Collection<ClipKey> keys) {
        List<ClipVector> all = new ArrayList<>();
        for (ReadOnlyClipVectorStore store : stores.get()) {
            all.addAll(store.clipsByKey(keys));
        }
        return List.copyOf(all);
    }

    @Override
    public List<ClipVector> clipVersions(String clipId) {
        List<ClipVector> all = new ArrayList<>();
        for (ReadOnlyClipVectorStore store : stores.get()) {
            all.addAll(store.clipVersions(clipId));
        }
        return List.copyOf(all);
    }

    @Override
    public List<ClipVector> clips(ClipFilter filter, int limit) {
        List<ClipVector> all = new ArrayList<>();
        for (ReadOnlyClipVectorStore store : stores.get()) {
            all.addAll(store.clips(filter, limit));
        }
        all.sort(ClipVectorOrder.EARLIEST_FIRST);
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    @Override
    public Optional<Long> searchableUpTo(String sourceId) {
        return stores.get().stream()
                .map(store -> store.searchableUpTo(sourceId))
                .flatMap(Optional::stream)
                .max(Long::compare);
    }

    @Override
    public Map<String, Long> searchableUpTo() {
        Map<String, Long> merged = new HashMap<>();
        for (ReadOnlyClipVectorStore store : stores.get()) {
            store.searchableUpTo().forEach((source, end) -> merged.merge(source, end, Math::max));
        }
        return merged;
    }

    @Override
    public long visibleClips() {
        return stores.get().stream()
                .mapToLong(ReadOnlyClipVectorStore::visibleClips)
                .sum();
    }

    @Override
    public Map<String, Long> clipsPerModelVersion() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (ReadOnlyClipVectorStore store : stores.get()) {
            store.clipsPerModelVersion().forEach((version, n) -> counts.merge(version, n, Long::sum));
        }
        return counts;
    }

    @Override
    public int visibleSegments() {
        return stores.get().stream()
                .mapToInt(ReadOnlyClipVectorStore::visibleSegments)
                .sum();
    }
}
