package io.clip4stream.index.rebuild;

import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One shard's part of a model change, a bounded step at a time on the shard's stream thread: clips the shard holds
 * under a version sharing the visual encoder but not yet under a target version are re-aggregated from their stored
 * frame embeddings with the target's head; clips of retired versions are dropped. Nothing is remembered between steps
 * but what the store holds, so a step after a crash, a restore from the changelog or a move to another instance simply
 * goes on where the store stands.
 */
public final class ShardRebuild {

    /** Clips one step builds or drops at most, so a step holds the stream thread for a bounded time. */
    public static final int DEFAULT_BATCH = 256;

    /** How often a shard whose versions all hold the same number of clips is still compared clip by clip. */
    public static final long VERIFY_EVERY_MILLIS = 60_000;

    private final int batch;
    private long verifiedAtMillis = -VERIFY_EVERY_MILLIS;

    /**
     * What one step did.
     *
     * @param progress per target version, how far the shard has built it
     * @param built clips re-aggregated in this step
     * @param dropped clips of retired versions removed in this step
     */
    public record Step(Map<String, ShardProgress> progress, int built, int dropped) {

        /** Copies the progress. */
        public Step {
            progress = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(progress));
        }

        /** Whether the step changed the store. */
        public boolean wrote() {
            return built > 0 || dropped > 0;
        }
    }

    /** A rebuild doing at most {@code batch} clips per step. */
    public ShardRebuild(int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("the rebuild batch must be >= 1; was " + batch);
        }
        this.batch = batch;
    }

    /** Runs one step on {@code store} for the versions of {@code models}, stamping rebuilt clips with {@code nowMillis}. */
    public Step step(ClipVectorStore store, IndexModels.Snapshot models, long nowMillis) {
        Map<String, Long> held = store.clipsPerModelVersion();
        Map<String, ShardProgress> settled = settled(held, models);
        if (settled != null && (alone(held, models) || nowMillis - verifiedAtMillis < VERIFY_EVERY_MILLIS)) {
            // The steady state: every version holds as many clips as every other, nothing is retired. Comparing
            // clip by clip costs a pass over the shard, so it is done only now and then.
            return new Step(settled, 0, 0);
        }
        verifiedAtMillis = nowMillis;
        // Every version sharing the visual encoder is a source of frame embeddings, retired ones included: a retired
        // version's clips are dropped only once every target holds them.
        Map<String, Set<String>> idsBySource = new LinkedHashMap<>();
        held.forEach((version, count) -> {
            if (count > 0 && models.sameEncoder().contains(version)) {
                idsBySource.put(version, store.clipIds(version));
            }
        });
        Set<String> all = new HashSet<>();
        idsBySource.values().forEach(all::addAll);
        int left = batch;
        int built = 0;
        Map<String, ShardProgress> progress = new LinkedHashMap<>();
        Map<String, Set<String>> missingByTarget = new LinkedHashMap<>();
        for (VersionTarget target : models.targets()) {
            TreeSet<String> missing = new TreeSet<>(all);
            missing.removeAll(idsBySource.getOrDefault(target.version(), Set.of()));
            for (Map.Entry<String, Set<String>> source : idsBySource.entrySet()) {
                if (left == 0 || missing.isEmpty()) {
                    break;
                }
                if (source.getKey().equals(target.version())) {
                    continue;
                }
                List<ClipKey> keys = new ArrayList<>();
                for (String clipId : missing) {
                    if (keys.size() == left) {
                        break;
                    }
                    if (source.getValue().contains(clipId)) {
                        keys.add(new ClipKey(source.getKey(), clipId));
                    }
                }
                for (ClipVector clip : store.clipsByKey(keys)) {
                    store.put(rebuilt(clip, target, nowMillis));
                    missing.remove(clip.getClipId().toString());
                    built++;
                    left--;
                }
            }
            missingByTarget.put(target.version(), missing);
            progress.put(target.version(), new ShardProgress(all.size() - missing.size(), all.size()));
        }
        int dropped = 0;
        for (String version : models.retired()) {
            if (held.getOrDefault(version, 0L) == 0) {
                continue;
            }
            boolean framesServeTargets = models.sameEncoder().contains(version);
            // Versions of another encoder are not among the sources: only then is the shard read for their ids.
            Set<String> ids = framesServeTargets ? idsBySource.get(version) : store.clipIds(version);
            for (String clipId : sorted(ids)) {
                if (left == 0) {
                    break;
                }
                // With no target of this encoder left, the frames are needed no more only when a version of another
                // encoder took over; otherwise (a kept version failed to load here) they are all there is to build
                // from.
                boolean heldElsewhere = models.targets().isEmpty()
                        ? !models.reencoded().isEmpty()
                        : missingByTarget.values().stream().noneMatch(missing -> missing.contains(clipId));
                if (!framesServeTargets || heldElsewhere) {
                    store.delete(new ClipKey(version, clipId));
                    left--;
                    dropped++;
                }
            }
        }
        if (built > 0 || dropped > 0) {
            // The next step reads what this one wrote.
            store.refresh();
        }
        return new Step(progress, built, dropped);
    }

    /** Whether at most one version is involved (the steady state without a model change): nothing to compare. */
    private static boolean alone(Map<String, Long> held, IndexModels.Snapshot models) {
        Set<String> involved = new HashSet<>();
        models.targets().forEach(target -> involved.add(target.version()));
        held.forEach((version, count) -> {
            if (count > 0
                    && (models.sameEncoder().contains(version)
                            || models.retired().contains(version))) {
                involved.add(version);
            }
        });
        return involved.size() <= 1;
    }

    /**
     * The progress when every target and every source version holds the same number of clips and no retired version
     * holds any; null otherwise.
     */
    private static Map<String, ShardProgress> settled(Map<String, Long> held, IndexModels.Snapshot models) {
        Set<Long> counts = new HashSet<>();
        Map<String, ShardProgress> progress = new LinkedHashMap<>();
        for (VersionTarget target : models.targets()) {
            long count = held.getOrDefault(target.version(), 0L);
            counts.add(count);
            progress.put(target.version(), new ShardProgress(count, count));
        }
        for (Map.Entry<String, Long> version : held.entrySet()) {
            if (models.retired().contains(version.getKey()) && version.getValue() > 0) {
                return null;
            }
            if (models.sameEncoder().contains(version.getKey())) {
                counts.add(version.getValue());
            }
        }
        return counts.size() <= 1 ? progress : null;
    }

    /** {@code clip} (stored under another version sharing the visual encoder) as {@code target} makes it. */
    static ClipVector rebuilt(ClipVector clip, VersionTarget target, long nowMillis) {
        float[][] stored = ClipFrames.of(clip);
        List<float[]> frames = java.util.Arrays.asList(stored);
        float[] vector = target.aggregator().aggregate(frames);
        List<Float> boxed = new ArrayList<>(vector.length);
        for (float value : vector) {
            boxed.add(value);
        }
        ClipVector.Builder builder = ClipVector.newBuilder(clip)
                .setModelVersion(target.version())
                .setAggregation(target.aggregator().aggregation())
                .setVector(boxed)
                .setIndexedAtMillis(nowMillis);
        // Stored as the target version's model says (the source version may store another encoding).
        return ClipFrames.set(builder, stored, target.aggregator().frameEncoding())
                .build();
    }

    private static List<String> sorted(Set<String> ids) {
        return new ArrayList<>(new TreeSet<>(ids));
    }
}
