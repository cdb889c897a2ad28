package io.clip4stream.index.rebuild;

import io.clip4stream.index.store.ClipVectorStore;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * How far one shard holds each version of another CLIP visual encoder, whose clips come from kept media encoded again
 * (a different visual encoder cannot reuse the stored frame embeddings). The ingest ends each source's re-encoding with
 * an end marker, or sends one saying the source has no kept media; a source is settled for a version once its marker
 * arrived. A clip the shard holds under another kept version is still to build unless its source has no kept media or
 * the version holds it already (visible to searches: a version is complete only once its clips can be found); an
 * unsettled source all of whose clips are held (its marker is still on the way) counts as one more. A shard holds the
 * version completely when nothing is left to build. Once the version is activated the change is over: its clips are
 * only counted.
 */
public final class ReencodeProgress {

    private ReencodeProgress() {}

    /**
     * The progress of every version in {@code models}' {@link IndexModels.Snapshot#reencoded()} on {@code store}, given
     * the sources settled for each version: true for a source re-encoded, false for one with no kept media.
     */
    public static Map<String, ShardProgress> of(
            ClipVectorStore store, IndexModels.Snapshot models, Function<String, Map<String, Boolean>> settledSources) {
        Map<String, ShardProgress> progress = new LinkedHashMap<>();
        if (models.reencoded().isEmpty()) {
            return progress;
        }
        Map<String, Long> counts = store.clipsPerModelVersion();
        Optional<String> activated = models.activated();
        Map<String, Set<String>> idsByVersion = new LinkedHashMap<>();
        if (!models.reencoded().keySet().stream().allMatch(version -> activated.equals(Optional.of(version)))) {
            counts.forEach((version, count) -> {
                if (count > 0 && !models.retired().contains(version)) {
                    idsByVersion.put(version, store.clipIds(version));
                }
            });
        }
        for (String version : models.reencoded().keySet()) {
            if (activated.equals(Optional.of(version))) {
                // Activated, the change is over: its clips are counted, not compared clip by clip on every tick.
                long held = counts.getOrDefault(version, 0L);
                progress.put(version, new ShardProgress(held, held));
                continue;
            }
            Set<String> held = idsByVersion.getOrDefault(version, Set.of());
            Map<String, Boolean> settled = settledSources.apply(version);
            Set<String> pending = new HashSet<>();
            Set<String> unsettled = new HashSet<>();
            idsByVersion.forEach((other, ids) -> {
                if (other.equals(version)) {
                    return;
                }
                for (String clipId : ids) {
                    String source = sourceOf(clipId);
                    Boolean reencoded = settled.get(source);
                    if (Boolean.FALSE.equals(reencoded)) {
                        continue; // no kept media: its clips stay under the versions that hold them
                    }
                    if (reencoded == null) {
                        unsettled.add(source);
                    }
                    if (!held.contains(clipId)) {
                        pending.add(clipId);
                    }
                }
            });
            Set<String> waitingForMarker = new HashSet<>(unsettled);
            pending.forEach(clipId -> waitingForMarker.remove(sourceOf(clipId)));
            long total = held.size() + pending.size() + waitingForMarker.size();
            progress.put(version, new ShardProgress(held.size(), total));
        }
        return progress;
    }

    /** The source of a clip id ({@code source:firstFrame}, see {@code ClipIds}). */
    static String sourceOf(String clipId) {
        int colon = clipId.lastIndexOf(':');
        return colon < 0 ? clipId : clipId.substring(0, colon);
    }
}
