package io.clip4stream.query.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.clip4stream.model.tokenize.TokenizedText;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class TextEncodingCacheTest {

    private final List<String> encoded = new ArrayList<>();

    private final Function<String, QueryEncoder.Encoded> encoder = text -> {
        encoded.add(text);
        float[] v = {text.length(), 1};
        return new QueryEncoder.Encoded(new TokenizedText(new int[] {1, 2}, new int[] {1, 1}), v, v);
    };

    @Test
    void shouldEncodeEachTextOnceAndCountHitsAndMisses() {
        TextEncodingCache cache = new TextEncodingCache(8);
        QueryEncoder.Encoded first = cache.get("1", "a red circle", encoder);
        assertSame(first, cache.get("1", "a red circle", encoder));
        cache.get("1", "a blue star", encoder);
        assertEquals(List.of("a red circle", "a blue star"), encoded);
        assertEquals(1, cache.hits());
        assertEquals(2, cache.misses());
        assertEquals(2, cache.size());
    }

    @Test
    void shouldKeyByModelVersionAndExactText() {
        TextEncodingCache cache = new TextEncodingCache(8);
        cache.get("1", "a red circle", encoder);
        cache.get("2", "a red circle", encoder);
        cache.get("1", "A red circle", encoder);
        cache.get("1", "a red circle ", encoder);
        assertEquals(4, encoded.size(), "another version, case or spacing is another entry");
        assertEquals(0, cache.hits());
    }

    @Test
    void shouldEvictTheLeastRecentlyUsed() {
        TextEncodingCache cache = new TextEncodingCache(2);
        cache.get("1", "a", encoder);
        cache.get("1", "b", encoder);
        cache.get("1", "a", encoder); // a is now the most recently used
        cache.get("1", "c", encoder); // evicts b
        cache.get("1", "a", encoder);
        cache.get("1", "b", encoder);
        assertEquals(List.of("a", "b", "c", "b"), encoded);
        assertEquals(2, cache.size());
    }

    @Test
    void shouldEncodeEveryTimeWhenOffAndRefuseANegativeCapacity() {
        TextEncodingCache off = new TextEncodingCache(0);
        off.get("1", "a", encoder);
        off.get("1", "a", encoder);
        assertEquals(2, encoded.size());
        assertEquals(0, off.size());
        assertThrows(IllegalArgumentException.class, () -> new TextEncodingCache(-1));
    }
}
