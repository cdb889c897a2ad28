package io.clip4stream.query.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The most recently used text encodings, keyed by model version and the exact query text: pages re-run their example
 * queries, users page through results and dashboards poll, and every repeat would otherwise run the text tower again.
 *
 * <p>Bounded by entry count (an entry is two vectors of the model's width plus the tokens: about 4 KB at width 512).
 * A miss encodes outside the lock, so a slow encoding never blocks hits; two concurrent misses of one text may both
 * encode it, which costs time, not correctness.
 */
public final class TextEncodingCache {

    /** Entries kept unless configured otherwise: about 16 MB at width 512. */
    public static final int DEFAULT_CAPACITY = 4096;

    private record Key(String modelVersion, String text) {}

    private final int capacity;
    private final Map<Key, QueryEncoder.Encoded> entries;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    /** A cache of at most {@code capacity} encodings; 0 turns caching off. */
    public TextEncodingCache(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("text cache capacity must be >= 0, got " + capacity);
        }
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, QueryEncoder.Encoded> eldest) {
                return size() > TextEncodingCache.this.capacity;
            }
        };
    }

    /** Returns the cached encoding of {@code text} under {@code modelVersion}, or encodes and keeps it. */
    public QueryEncoder.Encoded get(String modelVersion, String text, Function<String, QueryEncoder.Encoded> encode) {
        Objects.requireNonNull(text, "text");
        Key key = new Key(Objects.requireNonNull(modelVersion, "modelVersion"), text);
        QueryEncoder.Encoded found;
        synchronized (entries) {
            found = entries.get(key);
        }
        if (found != null) {
            hits.incrementAndGet();
            return found;
        }
        misses.incrementAndGet();
        QueryEncoder.Encoded encoded = encode.apply(text);
        if (capacity > 0) {
            synchronized (entries) {
                entries.put(key, encoded);
            }
        }
        return encoded;
    }

    /** Returns the number of lookups answered from the cache. */
    public long hits() {
        return hits.get();
    }

    /** Returns the number of lookups that had to encode. */
    public long misses() {
        return misses.get();
    }

    /** Returns the number of encodings held. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
