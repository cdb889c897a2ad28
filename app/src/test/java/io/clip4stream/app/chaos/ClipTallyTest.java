package io.clip4stream.app.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClipTallyTest {
    private static final Map<String, Integer> EXPECTED = Map.of("s1", 3, "s2", 2);

    @Test
    void shouldFindNothingWrongWhenEachClipIsCommittedAndIndexedOnce() {
        Map<String, List<Long>> committed = Map.of("s1", List.of(0L, 1L, 2L), "s2", List.of(1L, 0L));
        // The two index instances hold disjoint partitions: together each clip once.
        List<Map<String, List<Long>>> indexes =
                List.of(Map.of("s1", List.of(2L, 0L, 1L)), Map.of("s2", List.of(0L, 1L)));

        assertEquals(new ClipTally(5, 0, 0, 0, 0), ClipTally.count(EXPECTED, committed, indexes));
    }

    @Test
    void shouldCountAMissingClipAsLostAndUnsearchable() {
        Map<String, List<Long>> committed = Map.of("s1", List.of(0L, 2L), "s2", List.of(0L, 1L));
        List<Map<String, List<Long>>> indexes = List.of(Map.of("s1", List.of(0L, 2L), "s2", List.of(0L, 1L)));

        assertEquals(new ClipTally(5, 1, 0, 1, 0), ClipTally.count(EXPECTED, committed, indexes));
    }

    @Test
    void shouldCountACommittedClipNoIndexReturnsAsUnsearchableOnly() {
        Map<String, List<Long>> committed = Map.of("s1", List.of(0L, 1L, 2L), "s2", List.of(0L, 1L));
        List<Map<String, List<Long>>> indexes = List.of(Map.of("s1", List.of(0L, 1L, 2L), "s2", List.of(0L)));

        assertEquals(new ClipTally(5, 0, 0, 1, 0), ClipTally.count(EXPECTED, committed, indexes));
    }

    @Test
    void shouldCountAClipCommittedTwiceAsDoubledOnce() {
        Map<String, List<Long>> committed = Map.of("s1", List.of(0L, 1L, 1L, 1L, 2L), "s2", List.of(0L, 1L));
        List<Map<String, List<Long>>> indexes = List.of(Map.of("s1", List.of(0L, 1L, 2L), "s2", List.of(0L, 1L)));

        assertEquals(new ClipTally(5, 0, 1, 0, 0), ClipTally.count(EXPECTED, committed, indexes));
    }

    @Test
    void shouldCountAClipHeldByBothIndexInstancesAsDoubled() {
        Map<String, List<Long>> committed = Map.of("s1", List.of(0L, 1L, 2L), "s2", List.of(0L, 1L));
        List<Map<String, List<Long>>> indexes =
                List.of(Map.of("s1", List.of(0L, 1L, 2L)), Map.of("s1", List.of(2L), "s2", List.of(0L, 1L)));

        assertEquals(new ClipTally(5, 0, 1, 0, 0), ClipTally.count(EXPECTED, committed, indexes));
    }

    @Test
    void shouldCountClipsTheInputsDoNotGiveAsUnexpected() {
        // s1 clip 3 is past its end (in the topic and an index: one clip), and source s9 was never submitted.
        Map<String, List<Long>> committed =
                Map.of("s1", List.of(0L, 1L, 2L, 3L), "s2", List.of(0L, 1L), "s9", List.of(0L));
        List<Map<String, List<Long>>> indexes = List.of(Map.of("s1", List.of(0L, 1L, 2L, 3L), "s2", List.of(0L, 1L)));

        assertEquals(new ClipTally(5, 0, 0, 0, 2), ClipTally.count(EXPECTED, committed, indexes));
    }

    @Test
    void shouldCountOneTrialsSourcesOnly() {
        Map<String, List<Long>> committed = Map.of("s1", List.of(0L, 1L, 2L), "s2", List.of(0L));
        List<Map<String, List<Long>>> indexes = List.of(Map.of("s1", List.of(0L, 1L, 2L), "s2", List.of(0L)));

        assertEquals(new ClipTally(3, 0, 0, 0, 0), ClipTally.countOnly(Set.of("s1"), EXPECTED, committed, indexes));
        assertEquals(new ClipTally(2, 1, 0, 1, 0), ClipTally.countOnly(Set.of("s2"), EXPECTED, committed, indexes));
    }
}
