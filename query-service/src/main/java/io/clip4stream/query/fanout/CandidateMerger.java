package io.clip4stream.query.fanout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Merges per-shard top lists into one global top list: one entry per clip id, best score first. */
public final class CandidateMerger {

    /** Orders by score descending, then by clip id, so equal scores merge deterministically. */
    public static final Comparator<Candidate> BEST_FIRST =
            Comparator.comparingDouble((Candidate c) -> -c.score()).thenComparing(Candidate::clipId);

    private CandidateMerger() {}

    /** Returns the best {@code n} distinct clips of {@code answers} (a clip served twice, by replicas, counts once). */
    public static List<Candidate> merge(List<List<Candidate>> answers, int n) {
        Map<String, Candidate> byClip = new HashMap<>();
        for (List<Candidate> answer : answers) {
            for (Candidate candidate : answer) {
                byClip.merge(candidate.clipId(), candidate, (a, b) -> BEST_FIRST.compare(a, b) <= 0 ? a : b);
            }
        }
        List<Candidate> merged = new ArrayList<>(byClip.values());
        merged.sort(BEST_FIRST);
        return List.copyOf(merged.subList(0, Math.min(n, merged.size())));
    }
}
