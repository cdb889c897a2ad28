package io.clip4stream.app.chaos;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What became of the expected clips: each clip, identified by its source and its index there, is counted once in
 * each of the figures it falls under.
 *
 * @param expected clips the inputs should give
 * @param lost expected clips not committed to {@code clip-vectors}
 * @param doubled expected clips committed more than once, or held more than once over the index instances
 * @param unsearchable expected clips no index instance returns
 * @param unexpected clips seen that the inputs do not give (an index out of range, or an unknown source)
 */
public record ClipTally(int expected, int lost, int doubled, int unsearchable, int unexpected) {

    /**
     * Counts {@code expected} (clips per source; a source's clips are indexes 0..n-1) against what {@code committed}
     * ({@code clip-vectors}, clip indexes by source, one entry per committed record) and each of {@code indexes}
     * (one index instance's clip indexes by source) hold.
     */
    public static ClipTally count(
            Map<String, Integer> expected, Map<String, List<Long>> committed, List<Map<String, List<Long>>> indexes) {
        int total = 0;
        int lost = 0;
        int doubled = 0;
        int unsearchable = 0;
        int unexpected = 0;
        for (var source : expected.entrySet()) {
            Map<Long, Integer> inTopic = times(committed.getOrDefault(source.getKey(), List.of()));
            Map<Long, Integer> inIndexes = new TreeMap<>();
            indexes.forEach(index -> times(index.getOrDefault(source.getKey(), List.of()))
                    .forEach((clip, n) -> inIndexes.merge(clip, n, Integer::sum)));
            for (long clip = 0; clip < source.getValue(); clip++) {
                total++;
                int topicCount = inTopic.getOrDefault(clip, 0);
                int indexCount = inIndexes.getOrDefault(clip, 0);
                if (topicCount == 0) {
                    lost++;
                }
                if (indexCount == 0) {
                    unsearchable++;
                }
                if (topicCount > 1 || indexCount > 1) {
                    doubled++;
                }
            }
            long clips = source.getValue();
            Set<Long> seen = new TreeSet<>(inTopic.keySet());
            seen.addAll(inIndexes.keySet());
            unexpected += (int)
                    seen.stream().filter(clip -> clip < 0 || clip >= clips).count();
        }
        unexpected += unknownClips(expected.keySet(), committed);
        for (Map<String, List<Long>> index : indexes) {
            unexpected += unknownClips(expected.keySet(), index);
        }
        return new ClipTally(total, lost, doubled, unsearchable, unexpected);
    }

    /** As {@link #count}, over the sources of {@code sources} only: what one trial's sources became. */
    public static ClipTally countOnly(
            Set<String> sources,
            Map<String, Integer> expected,
            Map<String, List<Long>> committed,
            List<Map<String, List<Long>>> indexes) {
        return count(
                only(sources, expected),
                only(sources, committed),
                indexes.stream().map(index -> only(sources, index)).toList());
    }

    private static <V> Map<String, V> only(Set<String> sources, Map<String, V> bySource) {
        Map<String, V> kept = new TreeMap<>(bySource);
        kept.keySet().retainAll(sources);
        return kept;
    }

    private static int unknownClips(Set<String> known, Map<String, List<Long>> bySource) {
        return bySource.entrySet().stream()
                .filter(e -> !known.contains(e.getKey()))
                .mapToInt(e -> e.getValue().size())
                .sum();
    }

    private static Map<Long, Integer> times(List<Long> clips) {
        Map<Long, Integer> times = new TreeMap<>();
        clips.forEach(clip -> times.merge(clip, 1, Integer::sum));
        return times;
    }
}
