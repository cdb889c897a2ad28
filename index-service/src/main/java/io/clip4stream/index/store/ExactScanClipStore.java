package io.clip4stream.index.store;

import io.clip4stream.schemas.avro.ClipVector;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;

/**
 * The reference clip vector store: clips on the heap, every query an exact scan, every write visible at once.
 *
 * <p>It defines the expected answers of the store contract; it is not meant for production sizes.
 */
public final class ExactScanClipStore implements ClipVectorStore {

    private final String name;
    private final Map<ClipKey, ClipVector> clips = new LinkedHashMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final Position position = Position.emptyPosition();
    private volatile boolean open;

    /** An empty store called {@code name}. */
    public ExactScanClipStore(String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.open = true;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> {
            if (value == null) {
                delete(ClipKey.fromBytes(key));
            } else {
                put(ClipChangelog.decode(value));
            }
        });
        open = true;
    }

    @Override
    public void put(ClipVector clip) {
        lock.writeLock().lock();
        try {
            clips.put(ClipKey.of(clip), clip);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void delete(ClipKey key) {
        lock.writeLock().lock();
        try {
            clips.remove(key);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public Removal remove(Map<String, Long> endBeforeMicros, RemovalBudget budget) {
        lock.writeLock().lock();
        try {
            List<Removal.Removed> removed = new ArrayList<>();
            var entries = clips.entrySet().iterator();
            while (entries.hasNext()) {
                if (removed.size() == budget.maxClips()) {
                    return new Removal(removed, false);
                }
                var entry = entries.next();
                ClipVector clip = entry.getValue();
                String source = clip.getSourceId().toString();
                Long cutoff = endBeforeMicros.get(source);
                if (cutoff != null && (cutoff == Long.MAX_VALUE || clip.getEndTimeMicros() < cutoff)) {
                    entries.remove();
                    removed.add(new Removal.Removed(source, entry.getKey()));
                }
            }
            return new Removal(removed, true);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public Collection<SourceSpan> sourceSpans() {
        lock.readLock().lock();
        try {
            Map<String, SourceSpan> spans = new HashMap<>();
            for (ClipVector clip : clips.values()) {
                spans.merge(
                        clip.getSourceId().toString(),
                        SourceSpan.of(clip.getSourceId().toString(), clip.getEndTimeMicros()),
                        (a, b) -> a.plus(b.newestEndMicros()));
            }
            return List.copyOf(spans.values());
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void refresh() {
        // Every write is visible at once.
    }

    @Override
    public List<ClipHit> nearest(float[] query, int k, ClipFilter filter) {
        if (k < 1 || query.length == 0) {
            throw new IllegalArgumentException("k must be >= 1 and the query non-empty; k was " + k);
        }
        lock.readLock().lock();
        try {
            List<ClipHit> hits = new ArrayList<>();
            for (ClipVector clip : clips.values()) {
                if (clip.getVector().size() != query.length
                        || !filter.accepts(
                                clip.getModelVersion().toString(),
                                clip.getSourceId().toString(),
                                clip.getTenant().toString(),
                                clip.getStartTimeMicros(),
                                clip.getEndTimeMicros(),
                                clip.getTags().stream()
                                        .map(CharSequence::toString)
                                        .toList())) {
                    continue;
                }
                hits.add(new ClipHit(clip, dot(query, clip.getVector())));
            }
            hits.sort(ClipHit.BEST_FIRST);
            return List.copyOf(hits.subList(0, Math.min(k, hits.size())));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<ClipVector> clipVersions(String clipId) {
        lock.readLock().lock();
        try {
            return clips.values().stream()
                    .filter(clip -> clip.getClipId().toString().equals(clipId))
                    .toList();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<ClipVector> clips(ClipFilter filter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1; was " + limit);
        }
        lock.readLock().lock();
        try {
            return clips.values().stream()
                    .filter(clip -> filter.accepts(
                            clip.getModelVersion().toString(),
                            clip.getSourceId().toString(),
                            clip.getTenant().toString(),
                            clip.getStartTimeMicros(),
                            clip.getEndTimeMicros(),
                            clip.getTags().stream().map(CharSequence::toString).toList()))
                    .sorted(ClipVectorOrder.EARLIEST_FIRST)
                    .limit(limit)
                    .toList();
        } finally {
            lock.readLock().unlock();
        }
    }

    private static float dot(float[] query, List<Float> vector) {
        float sum = 0;
        for (int i = 0; i < query.length; i++) {
            sum += query[i] * vector.get(i);
        }
        return sum;
    }

    @Override
    public Optional<Long> searchableUpTo(String sourceId) {
        return Optional.ofNullable(searchableUpTo().get(sourceId));
    }

    @Override
    public Map<String, Long> searchableUpTo() {
        Map<String, Long> upTo = new HashMap<>();
        for (SourceSpan span : sourceSpans()) {
            upTo.put(span.sourceId(), span.newestEndMicros());
        }
        return upTo;
    }

    @Override
    public long visibleClips() {
        lock.readLock().lock();
        try {
            return clips.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public java.util.Set<String> clipIds(String modelVersion) {
        lock.readLock().lock();
        try {
            java.util.Set<String> ids = new java.util.HashSet<>();
            clips.keySet().stream()
                    .filter(key -> key.modelVersion().equals(modelVersion))
                    .forEach(key -> ids.add(key.clipId()));
            return ids;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Map<String, Long> clipsPerModelVersion() {
        lock.readLock().lock();
        try {
            Map<String, Long> counts = new java.util.TreeMap<>();
            clips.keySet().forEach(key -> counts.merge(key.modelVersion(), 1L, Long::sum));
            return counts;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public int visibleSegments() {
        return 1;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Position getPosition() {
        return position;
    }
}
