package io.clip4stream.query.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The thumbnails of recently returned clips, so hits can point at {@code /thumbnails/{clipId}} without a second trip
 * to the index; least recently used entries are dropped beyond a fixed count, keeping memory bounded.
 */
public final class ThumbnailCache {
    private final int capacity;
    private final Map<String, byte[]> entries;

    /** A cache holding at most {@code capacity} thumbnails. */
    public ThumbnailCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("thumbnail cache capacity must be positive; was " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** Remembers the thumbnail of {@code clipId}. */
    public synchronized void put(String clipId, byte[] jpeg) {
        entries.put(clipId, jpeg);
        if (entries.size() > capacity) {
            entries.remove(entries.keySet().iterator().next());
        }
    }

    /** The thumbnail of {@code clipId}, if still held. */
    public synchronized Optional<byte[]> get(String clipId) {
        return Optional.ofNullable(entries.get(clipId));
    }

    /** How many thumbnails are held. */
    public synchronized int size() {
        return entries.size();
    }
}
