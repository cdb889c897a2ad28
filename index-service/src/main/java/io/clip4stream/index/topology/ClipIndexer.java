package io.clip4stream.index.topology;

import io.clip4stream.index.rebuild.IndexModels;
import io.clip4stream.index.rebuild.RebuildProgress;
import io.clip4stream.index.rebuild.ReencodeProgress;
import io.clip4stream.index.rebuild.ShardProgress;
import io.clip4stream.index.rebuild.ShardRebuild;
import io.clip4stream.index.rebuild.VersionTarget;
import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.index.store.Removal;
import io.clip4stream.index.store.RemovalBudget;
import io.clip4stream.index.store.SourceSpan;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.frames.ClipFrames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Aggregates assembled clips with the model's head and writes them to the task's {@link ClipVectorStore}. Removals
 * (deleted sources, per-source retention) stay off the record path: a deletion only marks the source, and a wall-clock
 * maintenance tick removes everything due in one bounded pass ({@link IndexMaintenance}). Each change is reported
 * downstream, except provisional clips (a live source's growing clip): they are stored, so queries see them, but not
 * reported, so the clip-vectors topic carries each clip once, closed; the closed clip replaces them under the same key.
 *
 * <p>A clip of frames encoded again from kept media for a version of another visual encoder is stored under that
 * version only and not reported; the end markers of such a re-encoding are kept in a changelogged store, so each shard
 * can tell when it holds that version completely ({@link ReencodeProgress}).
 *
 * <p>A marked deletion lives in memory only; it survives a crash because the assembler's deletion markers (connected
 * to this processor too) are changelogged: on start, every marked source the store still holds clips of is marked
 * again.
 */
public final class ClipIndexer implements Processor<String, ClipWork, String, IndexOutcome> {

    /** How often a shard's re-encode progress is counted at most (it reads every clip id of the shard). */
    static final long REENCODE_PROGRESS_EVERY_MILLIS = 2_000;

    /** A settled source's value: its kept media was encoded again for the version. */
    static final String SETTLED_REENCODED = "reencoded";

    /** A settled source's value: it has no kept media; its clips stay under the versions that hold them. */
    static final String SETTLED_NO_MEDIA = "no-media";

    private final String storeName;
    private final String deletedStoreName;
    private final String reencodedStoreName;
    private final IndexModels models;
    private final RebuildProgress rebuildProgress;
    private final Maintenance maintenanceSettings;
    private final Consumer<MaintenanceReport> observer;
    private ProcessorContext<String, IndexOutcome> context;
    private ClipVectorStore store;
    private IndexMaintenance maintenance;
    private ShardRebuild rebuild;
    private KeyValueStore<String, String> reencodedSources;
    private Map<String, ShardProgress> reencodeProgress = Map.of();
    private long reencodeCountedAtMillis = -REENCODE_PROGRESS_EVERY_MILLIS;
    private boolean reencodeChanged;
    // The retired versions whose settled sources were last forgotten: the store is read again only when they change.
    private Set<String> settledForgottenFor = Set.of();
    private int partition;

    /**
     * How a shard is maintained.
     *
     * @param retention per source, clips ending more than this before the newest expire; zero keeps every clip
     * @param retentionCheck how often retention is applied
     * @param interval how often the maintenance tick runs (deletions wait at most about this long)
     * @param budget what one tick may do on the stream thread
     * @param rebuildBatch most clips one tick re-aggregates into a deployed model version or drops of a retired one
     */
    public record Maintenance(
            Duration retention, Duration retentionCheck, Duration interval, RemovalBudget budget, int rebuildBatch) {

        /** Settings with the default rebuild batch. */
        public Maintenance(Duration retention, Duration retentionCheck, Duration interval, RemovalBudget budget) {
            this(retention, retentionCheck, interval, budget, ShardRebuild.DEFAULT_BATCH);
        }

        /** Validates the settings. */
        public Maintenance {
            Objects.requireNonNull(retention, "retention");
            Objects.requireNonNull(retentionCheck, "retentionCheck");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(budget, "budget");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the maintenance interval must be positive; was " + interval);
            }
        }
    }

    /**
     * An indexer writing to the store {@code storeName}, reading deletion markers from {@code deletedStoreName}, keeping
     * in {@code reencodedStoreName} which sources are settled for each version of another visual encoder, keeping
     * vectors for every version of {@code models} (a model change, building missing ones in the background and reporting
     * each shard's progress to {@code rebuildProgress}), and showing each maintenance tick that did work to
     * {@code observer}.
     */
    public ClipIndexer(
            String storeName,
            String deletedStoreName,
            String reencodedStoreName,
            IndexModels models,
            RebuildProgress rebuildProgress,
            Maintenance maintenance,
            Consumer<MaintenanceReport> observer) {
        this.storeName = Objects.requireNonNull(storeName, "storeName");
        this.deletedStoreName = Objects.requireNonNull(deletedStoreName, "deletedStoreName");
        this.reencodedStoreName = Objects.requireNonNull(reencodedStoreName, "reencodedStoreName");
        this.models = Objects.requireNonNull(models, "models");
        this.rebuildProgress = Objects.requireNonNull(rebuildProgress, "rebuildProgress");
        this.maintenanceSettings = Objects.requireNonNull(maintenance, "maintenance");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public void init(ProcessorContext<String, IndexOutcome> processorContext) {
        this.context = processorContext;
        this.store = processorContext.getStateStore(storeName);
        this.reencodedSources = processorContext.getStateStore(reencodedStoreName);
        this.partition = processorContext.taskId().partition();
        this.rebuild = new ShardRebuild(maintenanceSettings.rebuildBatch());
        this.maintenance = new IndexMaintenance(
                store,
                maintenanceSettings.retention(),
                maintenanceSettings.retentionCheck(),
                maintenanceSettings.budget(),
                processorContext.currentSystemTimeMs());
        KeyValueStore<String, Long> deleted = processorContext.getStateStore(deletedStoreName);
        Set<String> held =
                store.sourceSpans().stream().map(SourceSpan::sourceId).collect(Collectors.toSet());
        try (KeyValueIterator<String, Long> markers = deleted.all()) {
            markers.forEachRemaining(marker -> {
                if (held.contains(marker.key)) {
                    // Deleted before a crash or a move, not yet removed here.
                    maintenance.deleteSource(marker.key);
                }
            });
        }
        processorContext.schedule(maintenanceSettings.interval(), PunctuationType.WALL_CLOCK_TIME, this::maintain);
    }

    @Override
    public void process(Record<String, ClipWork> record) {
        switch (record.value()) {
            case ClipWork.Index index -> {
                if (index.reencodeFor() == null) {
                    index(record, index.clip(), index.provisional());
                } else {
                    indexReencoded(record, index.clip(), index.reencodeFor());
                }
            }
            case ClipWork.Reencoded settled -> {
                String key = settledKey(settled.modelVersion(), settled.sourceId());
                // A source re-encoded by the ingest instance that keeps its video stays so, whatever another instance,
                // which does not keep it, says.
                if (settled.completed() || !SETTLED_REENCODED.equals(reencodedSources.get(key))) {
                    reencodedSources.put(key, settled.completed() ? SETTLED_REENCODED : SETTLED_NO_MEDIA);
                }
                reencodeChanged = true;
            }
            case ClipWork.RemoveSource remove -> maintenance.deleteSource(remove.sourceId());
            case ClipWork.Reject reject -> context.forward(record.withValue(new IndexOutcome.Failed(reject.error())));
        }
    }

    private void index(Record<String, ClipWork> record, AssembledClip whole, boolean provisional) {
        // The encoder switches a live source to an activated version of another visual encoder between two frames:
        // the clip at the switch is made of its frames from the switch on.
        String framesVersion = whole.frames().getLast().getModelVersion().toString();
        AssembledClip clip = fromVersion(whole, framesVersion);
        // During a model change a clip is indexed under every version kept, so nothing is missing after the switch.
        List<VersionTarget> targets =
                models.snapshot().indexUnder(framesVersion, models.own().aggregator());
        if (targets.isEmpty()) {
            fail(
                    record,
                    clip,
                    provisional,
                    "RetiredModelVersion",
                    "its frames come from retired model version " + framesVersion);
            return;
        }
        float[][] frames = embeddingsOf(clip);
        ClipVector forwarded = null;
        for (VersionTarget target : targets) {
            Optional<ClipVector> clipVector = store(record, clip, provisional, target, frames);
            if (clipVector.isEmpty()) {
                return;
            }
            if (forwarded == null) {
                forwarded = clipVector.get();
            }
        }
        // The clip-vectors topic is keyed by clip id: it carries each closed clip once, under its frames' version when
        // kept; a provisional clip stays in the store (and its changelog) until the closed clip replaces it.
        if (!provisional) {
            context.forward(record.withValue(new IndexOutcome.Indexed(forwarded)));
        }
    }

    /**
     * Indexes a clip of frames encoded again from kept media for {@code version} (of another visual encoder) under that
     * version only. It is not reported downstream: the clip-vectors topic carries each clip once, as its source's own
     * stream made it.
     */
    private void indexReencoded(Record<String, ClipWork> record, AssembledClip clip, String version) {
        Set<String> versions = clip.frames().stream()
                .map(frame -> frame.getModelVersion().toString())
                .collect(Collectors.toSet());
        if (!versions.equals(Set.of(version))) {
            fail(
                    record,
                    clip,
                    false,
                    "MixedModelVersions",
                    "its frames, re-encoded for model version " + version + ", come from model versions " + versions);
            return;
        }
        IndexModels.Snapshot snapshot = models.snapshot();
        VersionTarget target = snapshot.reencoded().get(version);
        if (target == null) {
            String why = snapshot.retired().contains(version)
                    ? "that version was retired"
                    : snapshot.unbuildable().getOrDefault(version, "this index instance does not keep that version");
            fail(
                    record,
                    clip,
                    false,
                    "UnbuildableModelVersion",
                    "re-encoded for model version " + version + ": " + why);
            return;
        }
        store(record, clip, false, target, embeddingsOf(clip));
    }

    /** Aggregates {@code frames} with {@code target}'s head and stores the clip; empty (and reported) on failure. */
    private Optional<ClipVector> store(
            Record<String, ClipWork> record,
            AssembledClip clip,
            boolean provisional,
            VersionTarget target,
            float[][] frames) {
        float[] vector;
        try {
            vector = target.aggregator().aggregate(java.util.Arrays.asList(frames));
        } catch (IllegalArgumentException e) {
            fail(
                    record,
                    clip,
                    provisional,
                    "AggregationFailed",
                    "model version " + target.version() + ": " + e.getMessage());
            return Optional.empty();
        }
        List<Float> boxed = new ArrayList<>(vector.length);
        for (float value : vector) {
            boxed.add(value);
        }
        FrameEmbedding first = clip.frames().getFirst();
        ClipVector.Builder builder = ClipVector.newBuilder()
                .setClipId(clip.clipId())
                .setSourceId(clip.sourceId())
                .setClipIndex(clip.clipIndex())
                .setStartTimeMicros(clip.startTimeMicros())
                .setEndTimeMicros(clip.endTimeMicros())
                .setTenant(clip.tenant())
                .setTags(List.copyOf(clip.tags()))
                .setThumbnailJpeg(clip.thumbnailJpeg())
                .setModelId(first.getModelId())
                .setModelVersion(target.version())
                .setAggregation(target.aggregator().aggregation())
                .setVector(boxed)
                .setIndexedAtMillis(context.currentSystemTimeMs())
                .setProvisional(provisional);
        // The vector above comes from the exact frames; only what is stored and sent is compacted, as the version's
        // model says.
        try {
            ClipFrames.set(builder, frames, target.aggregator().frameEncoding());
        } catch (IllegalArgumentException e) {
            fail(
                    record,
                    clip,
                    provisional,
                    "FrameEncodingFailed",
                    "model version " + target.version() + ": " + e.getMessage());
            return Optional.empty();
        }
        ClipVector clipVector = builder.build();
        store.put(clipVector);
        return Optional.of(clipVector);
    }

    private static float[][] embeddingsOf(AssembledClip clip) {
        float[][] frames = new float[clip.frames().size()][];
        for (int f = 0; f < frames.length; f++) {
            List<Float> embedding = clip.frames().get(f).getEmbedding();
            float[] values = new float[embedding.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = embedding.get(i);
            }
            frames[f] = values;
        }
        return frames;
    }

    /** {@code clip} with only its frames of {@code version} (all of them when they all are). */
    private static AssembledClip fromVersion(AssembledClip clip, String version) {
        List<FrameEmbedding> kept = clip.frames().stream()
                .filter(frame -> frame.getModelVersion().toString().equals(version))
                .toList();
        if (kept.size() == clip.frames().size()) {
            return clip;
        }
        return new AssembledClip(
                clip.sourceId(),
                clip.clipIndex(),
                clip.clipId(),
                kept.getFirst().getPresentationTimeMicros(),
                clip.endTimeMicros(),
                clip.tenant(),
                clip.tags(),
                clip.thumbnailJpeg(),
                kept,
                clip.closedByTimeout());
    }

    /** The key of a settled source in the re-encode store: version, NUL, source, so a version's sources are a range. */
    static String settledKey(String version, String sourceId) {
        return version + '\u0000' + sourceId;
    }

    /** The sources settled for {@code version} on this shard: true for one re-encoded, false for one with no media. */
    private Map<String, Boolean> settledSources(String version) {
        Map<String, Boolean> sources = new java.util.HashMap<>();
        String prefix = settledKey(version, "");
        try (KeyValueIterator<String, String> range = reencodedSources.range(prefix, version + '\u0001')) {
            range.forEachRemaining(
                    entry -> sources.put(entry.key.substring(prefix.length()), SETTLED_REENCODED.equals(entry.value)));
        }
        return sources;
    }

    /** Forgets the settled sources of versions no longer kept as versions of another encoder. */
    private void forgetSettled(IndexModels.Snapshot snapshot) {
        List<String> stale = new ArrayList<>();
        try (KeyValueIterator<String, String> all = reencodedSources.all()) {
            all.forEachRemaining(entry -> {
                String version = entry.key.substring(0, entry.key.indexOf('\u0000'));
                if (snapshot.retired().contains(version)) {
                    stale.add(entry.key);
                }
            });
        }
        stale.forEach(reencodedSources::delete);
    }

    private void fail(
            Record<String, ClipWork> record, AssembledClip clip, boolean provisional, String type, String message) {
        if (provisional) {
            // The closed clip holds the same frames and reports the same failure once.
            return;
        }
        context.forward(record.withValue(new IndexOutcome.Failed(PipelineErrors.of(
                context,
                clip.sourceId(),
                type,
                "clip " + clip.clipId() + " of source " + clip.sourceId() + ": " + message))));
    }

    private void maintain(long nowMillis) {
        IndexModels.Snapshot snapshot = models.snapshot();
        ShardRebuild.Step step = rebuild.step(store, snapshot, nowMillis);
        Map<String, ShardProgress> progress = new LinkedHashMap<>(step.progress());
        if (!snapshot.reencoded().isEmpty()) {
            if (reencodeChanged || nowMillis - reencodeCountedAtMillis >= REENCODE_PROGRESS_EVERY_MILLIS) {
                reencodeProgress = ReencodeProgress.of(store, snapshot, this::settledSources);
                reencodeCountedAtMillis = nowMillis;
                reencodeChanged = false;
            }
            progress.putAll(reencodeProgress);
        }
        if (!snapshot.retired().equals(settledForgottenFor)) {
            forgetSettled(snapshot);
            settledForgottenFor = snapshot.retired();
        }
        rebuildProgress.report(partition, progress);
        long start = System.nanoTime();
        IndexMaintenance.Tick tick = maintenance.tick(nowMillis);
        if (tick.dueSources() == 0) {
            return;
        }
        for (Removal.Removed removed : tick.removal().removed()) {
            context.forward(new Record<>(removed.sourceId(), new IndexOutcome.Removed(removed.key()), nowMillis));
        }
        observer.accept(new MaintenanceReport(
                tick.dueSources(),
                tick.removal().removed().size(),
                tick.removal().complete(),
                System.nanoTime() - start));
    }

    @Override
    public void close() {
        if (rebuildProgress != null && context != null) {
            rebuildProgress.forget(partition);
        }
    }
}
