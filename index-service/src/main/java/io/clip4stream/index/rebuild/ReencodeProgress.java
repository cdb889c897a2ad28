package io.clip4stream.index.rebuild;

import io.clip4stream.index.store.ClipVectorStore;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * How far one shard holds each version of another CLIP visual encoder, whose clips come from kept media encoded again
 * (a different visual encoder cannot reuse the stored frame embeddings). The ingest ends each source's re-encoding with
 * an end marker, or sends one saying the source has no kept media; a source is settled for a version once its marker
 * arrived. A shard holds the version completely when every source it holds clips of under another kept version is
 * settled. Until then, a clip of an unsettled source not yet stored under the version counts as one still to build, and
 * an unsettled source all of whose clips are stored (its marker is still on the way) as one more.
 */
public final class ReencodeProgress {

    private ReencodeProgress() {}

    /**
     * The progress of every version in {@code models}' {@link IndexModels.Snapshot#reencoded()} on {@code store}, given
     * the sources settled for each version.
     */
    public static Map<String, ShardProgress> of(
            ClipVectorStore store, IndexModels.Snapshot models, Function<String, Set<String>> settledSources) {
        Map<String, ShardProgress> progress = new LinkedHashMap<>();
        if (models.reencoded().isEmpty()) {
            return progress;
        }
        Map<String, Set<String>> idsByVersion = new LinkedHashMap<>();
        store.clipsPerModelVersion().forEach((version, count) -> {
            if (count > 0 && !models.retired().contains(version)) {
                idsByVersion.put(version, store.clipIds(version));
            }
        });
        for (String version : models.reencoded().keySet()) {
            Set<String> held = idsByVersion.getOrDefault(version, Set.of());
            Set<String> settled = settledSources.apply(version);
            Set<String> pending = new HashSet<>();
            Set<String> unsettled = new HashSet<>();
            idsByVersion.forEach((other, ids) -> {
                if (other.equals(version)) {
                    return;
                }
                for (String clipId : ids) {
                    String source = sourceOf(clipId);
                    if (!settled.contains(source)) {
                        unsettled.add(source);
                        if (!held.contains(clipId)) {
                            pending.add(clipId);
                        }
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
