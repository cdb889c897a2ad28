package io.clip4stream.index.rebuild;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each local shard's latest rebuild progress per model version, written by the shard's stream task and read by the
 * HTTP API and the metrics (thread-safe).
 */
public final class RebuildProgress {
    private final Map<Integer, Map<String, ShardProgress>> byShard = new ConcurrentHashMap<>();

    /** Records what shard {@code partition} holds now, replacing what it held before. */
    public void report(int partition, Map<String, ShardProgress> versions) {
        byShard.put(partition, Map.copyOf(versions));
    }

    /** Forgets shard {@code partition} (its task moved away or closed). */
    public void forget(int partition) {
        byShard.remove(partition);
    }

    /** Version to shard to progress, in name and partition order. */
    public Map<String, Map<Integer, ShardProgress>> byVersion() {
        Map<String, Map<Integer, ShardProgress>> versions = new TreeMap<>();
        byShard.forEach((partition, progress) -> progress.forEach((version, shard) ->
                versions.computeIfAbsent(version, v -> new TreeMap<>()).put(partition, shard)));
        return versions;
    }
}
