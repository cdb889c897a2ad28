package io.clip4stream.alert.match;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class QueryBankTest {

    static WatchedQuery query(String id, float[] raw, Set<String> sources) {
        return new WatchedQuery(
                id,
                "text " + id,
                sources,
                Set.of(),
                new ThresholdRule.Absolute(0.5),
                Duration.ZERO,
                Duration.ofSeconds(10),
                WatchedQuery.unit(raw));
    }

    @Test
    void shouldScoreEveryQueryAsItsDotProductWithTheClip() {
        Random random = new Random(7);
        int dim = 37; // not a multiple of four: the remainder loop counts too
        List<WatchedQuery> queries = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            float[] raw = new float[dim];
            for (int d = 0; d < dim; d++) {
                raw[d] = (float) random.nextGaussian();
            }
            queries.add(query("q" + i, raw, Set.of()));
        }
        float[] clip = new float[dim];
        for (int d = 0; d < dim; d++) {
            clip[d] = (float) random.nextGaussian();
        }
        clip = WatchedQuery.unit(clip);
        QueryBank bank = QueryBank.of(queries);
        float[] scores = bank.scores(clip);
        for (int i = 0; i < queries.size(); i++) {
            double expected = 0;
            for (int d = 0; d < dim; d++) {
                expected += queries.get(i).vector()[d] * clip[d];
            }
            assertEquals(expected, scores[i], 1e-5, "query " + i);
        }
        assertEquals(17, bank.row("q17").getAsInt());
        assertTrue(bank.row("nope").isEmpty());
    }

    @Test
    void shouldRefuseMixedWidthsAndClipsOfAnotherWidth() {
        assertThrows(
                IllegalArgumentException.class,
                () -> QueryBank.of(List.of(
                        query("a", new float[] {1, 0}, Set.of()), query("b", new float[] {1, 0, 0}, Set.of()))));
        QueryBank bank = QueryBank.of(List.of(query("a", new float[] {1, 0}, Set.of())));
        assertThrows(IllegalArgumentException.class, () -> bank.scores(new float[] {1, 0, 0}));
        assertEquals(0, QueryBank.empty().scores(new float[] {1}).length);
    }

    @Test
    void shouldWatchItsSourcesAndTagsOrEverythingWhenGivenNeither() {
        WatchedQuery all = query("all", new float[] {1}, Set.of());
        WatchedQuery one = query("one", new float[] {1}, Set.of("cam-1"));
        WatchedQuery tagged = new WatchedQuery(
                "t",
                "t",
                Set.of(),
                Set.of("gate"),
                new ThresholdRule.Absolute(0),
                Duration.ZERO,
                Duration.ZERO,
                new float[] {1});
        assertTrue(all.watches("cam-9", List.of()));
        assertTrue(one.watches("cam-1", List.of()));
        assertFalse(one.watches("cam-2", List.of("gate")));
        assertTrue(tagged.watches("cam-2", List.of("gate")));
        assertFalse(tagged.watches("cam-2", List.of("yard")));
    }
}
