package io.clip4stream.query.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CandidateMergerTest {
    private static Candidate clip(String id, float score) {
        return new Candidate(id, "s", 0, 0, 1, "default", List.of(), "v", score, null, null);
    }

    @Test
    void shouldKeepTheGlobalBestOncePerClipWithDeterministicTies() {
        List<Candidate> merged = CandidateMerger.merge(
                List.of(
                        List.of(clip("a", 0.9f), clip("c", 0.5f), clip("d", 0.1f)),
                        List.of(clip("b", 0.7f), clip("a", 0.9f), clip("e", 0.5f))),
                4);
        assertEquals(
                List.of("a", "b", "c", "e"),
                merged.stream().map(Candidate::clipId).toList());
    }

    @Test
    void shouldReturnFewerWhenTheShardsHoldFewer() {
        assertEquals(
                1,
                CandidateMerger.merge(List.of(List.of(clip("x", 0.2f)), List.of()), 10)
                        .size());
    }
}
