package io.clip4stream.query.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The clips whose thumbnails {@code /thumbnails/{clipId}} may serve (those recent searches returned) and the thumbnails
 * fetched for them so far; least recently used entries are dropped beyond a fixed count, keeping memory bounded.
 * Searches do not carry thumbnails: a hit's thumbnail is fetched from the index by clip id when it is first asked for.
 */
public final class ThumbnailCache {
    private final int capacity;
    // A null value: the clip was returned, its thumbnail not fetched yet.
    private final Map<String, byte[]> entries;

    /** A cache holding at most {@code capacity} clips. */
    public ThumbnailCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("thumbnail cache capacity must be positive; was " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** Lets {@code clipId}'s thumbnail be served (a search returned it), keeping one already fetched. */
    public synchronized void allow(String clipId) {
        if (entries.containsKey(clipId)) {
            entries.get(clipId); // access order: a clip returned again is recent again
            return;
        }
        entries.put(clipId, null);
        trim();
    }

    /** Remembers the thumbnail of {@code clipId}, allowing it. */
    public synchronized void put(String clipId, byte[] jpeg) {
        entries.put(clipId, jpeg);
        trim();
    }

    /** Whether a recent search returned {@code clipId}. */
    public synchronized boolean allowed(String clipId) {
        return entries.containsKey(clipId);
    }

    /** The thumbnail of {@code clipId}, if fetched and still held. */
    public synchronized Optional<byte[]> get(String clipId) {
        return Optional.ofNullable(entries.get(clipId));
    }

    /** How many clips are held. */
    public synchronized int size() {
        return entries.size();
    }

    private void trim() {
        if (entries.size() > capacity) {
            entries.remove(entries.keySet().iterator().next());
        }
    }
}
