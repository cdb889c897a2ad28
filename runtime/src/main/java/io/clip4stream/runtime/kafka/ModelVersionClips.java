package io.clip4stream.runtime.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * How many clips the index holds under each model version, and what to tell a user whose model version holds none
 * while others do: a search under it finds nothing, and saying nothing (an empty hit list) looks like a broken search.
 *
 * @param counts clips per model version (versions with none may be absent or zero)
 */
public record ModelVersionClips(Map<String, Long> counts) {

    /** Copies the counts, in version order, leaving out versions that hold nothing. */
    public ModelVersionClips {
        Map<String, Long> held = new TreeMap<>();
        Objects.requireNonNull(counts, "counts").forEach((version, n) -> {
            if (n != null && n > 0) {
                held.put(version, n);
            }
        });
        counts = java.util.Collections.unmodifiableMap(held);
    }

    /** The sum of several instances' counts (each instance counts the shards it serves). */
    public static ModelVersionClips sum(List<Map<String, Long>> perInstance) {
        Map<String, Long> total = new TreeMap<>();
        for (Map<String, Long> counts : perInstance) {
            counts.forEach((version, n) -> total.merge(version, n == null ? 0 : n, Long::sum));
        }
        return new ModelVersionClips(total);
    }

    /** Clips held under {@code modelVersion}. */
    public long of(String modelVersion) {
        return counts.getOrDefault(modelVersion, 0L);
    }

    /**
     * A one-sentence note for a search under {@code searched}, present only when that version holds no clips while
     * other versions do, naming them and their clip counts.
     */
    public Optional<String> emptyVersionNote(String searched) {
        List<String> others = others(searched);
        if (others.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("model version '" + searched + "' holds no clips, but the index holds "
                + String.join(", ", others) + ": those clips were embedded by another model version, so a search"
                + " with this one cannot find them");
    }

    /**
     * What an operator should do when the active version {@code active} holds no clips while other versions do;
     * empty when there is nothing to say. {@code sameVisualEncoder} tells, per version, whether it shares the active
     * version's CLIP visual encoder (empty: unknown), which decides whether its stored frame embeddings could serve
     * the active version or the frames must be encoded again.
     */
    public Optional<String> startupAdvice(String active, Function<String, Optional<Boolean>> sameVisualEncoder) {
        Optional<String> note = emptyVersionNote(active);
        if (note.isEmpty()) {
            return note;
        }
        List<String> same = new ArrayList<>();
        List<String> different = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String version : counts.keySet()) {
            Optional<Boolean> shared = sameVisualEncoder.apply(version);
            (shared.isEmpty() ? unknown : shared.get() ? same : different).add("'" + version + "'");
        }
        StringBuilder advice = new StringBuilder(note.get()).append(". ");
        if (!same.isEmpty()) {
            advice.append(String.join(", ", same))
                    .append(" shares the CLIP visual encoder of '")
                    .append(active)
                    .append("': the index re-aggregates its stored frame embeddings into '")
                    .append(active)
                    .append("' in the background, without re-ingesting (progress: bin/clip4stream model versions). ");
            if (different.isEmpty() && unknown.isEmpty()) {
                return Optional.of(advice.toString().strip());
            }
        }
        if (!different.isEmpty()) {
            advice.append(String.join(", ", different))
                    .append(" has another CLIP visual encoder: its frames must be encoded again. ");
        }
        if (!unknown.isEmpty()) {
            advice.append("Whether ")
                    .append(String.join(", ", unknown))
                    .append(" shares the visual encoder is not recorded. ");
        }
        advice.append("To search the clips: serve the model that embedded them again (bin/clip4stream run --model DIR,"
                        + " or CLIP4S_MODEL_DIR for the services), or re-ingest the sources so that '")
                .append(active)
                .append("' embeds them.");
        return Optional.of(advice.toString());
    }

    private List<String> others(String searched) {
        if (of(searched) > 0) {
            return List.of();
        }
        List<String> others = new ArrayList<>();
        counts.forEach((version, n) -> others.add(n + (n == 1 ? " clip" : " clips") + " under '" + version + "'"));
        return others;
    }
}
