package io.clip4stream.query.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ThumbnailCacheTest {

    @Test
    void aReturnedClipIsAllowedBeforeItsThumbnailIsFetched() {
        ThumbnailCache cache = new ThumbnailCache(4);

        cache.allow("cam:1");

        assertTrue(cache.allowed("cam:1"));
        assertEquals(Optional.empty(), cache.get("cam:1"));
        assertFalse(cache.allowed("cam:2"), "a clip no search returned is not served");
        cache.put("cam:1", new byte[] {1, 2});
        assertArrayEquals(new byte[] {1, 2}, cache.get("cam:1").orElseThrow());
        cache.allow("cam:1");
        assertArrayEquals(new byte[] {1, 2}, cache.get("cam:1").orElseThrow(), "allowing again keeps the bytes");
    }

    @Test
    void theLeastRecentlyReturnedClipIsDroppedBeyondTheCapacity() {
        ThumbnailCache cache = new ThumbnailCache(2);
        cache.allow("a");
        cache.put("b", new byte[] {2});
        cache.allow("a"); // returned again: now the most recent

        cache.allow("c");

        assertEquals(2, cache.size());
        assertTrue(cache.allowed("a"));
        assertFalse(cache.allowed("b"));
        assertTrue(cache.allowed("c"));
        assertThrows(IllegalArgumentException.class, () -> new ThumbnailCache(0));
    }
}
