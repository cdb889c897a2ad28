package io.clip4stream.index.topology;

import io.clip4stream.index.aggregate.ClipAggregator;
import io.clip4stream.index.rebuild.IndexModels;
import io.clip4stream.index.rebuild.RebuildProgress;
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
import java.util.List;
import java.util.Objects;
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
 * <p>A marked deletion lives in memory only; it survives a crash because the assembler's deletion markers (connected
 * to this processor too) are changelogged: on start, every marked source the store still holds clips of is marked
 * again.
 */
public final class ClipIndexer implements Processor<String, ClipWork, String, IndexOutcome> {

    private final String storeName;
    private final String deletedStoreName;
    private final IndexModels models;
    private final RebuildProgress rebuildProgress;
    private final Maintenance maintenanceSettings;
    private final Consumer<MaintenanceReport> observer;
    private ProcessorContext<String, IndexOutcome> context;
    private ClipVectorStore store;
    private IndexMaintenance maintenance;
    private ShardRebuild rebuild;
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
     * An indexer writing to the store {@code storeName}, reading deletion markers from {@code deletedStoreName}, and
     * showing each maintenance tick that did work to {@code observer}.
     */
    public ClipIndexer(
            String storeName,
            String deletedStoreName,
            ClipAggregator aggregator,
            Maintenance maintenance,
            Consumer<MaintenanceReport> observer) {
        this(storeName, deletedStoreName, IndexModels.only(aggregator), new RebuildProgress(), maintenance, observer);
    }

    /**
     * An indexer as above that keeps vectors for every version of {@code models} (a model change), building missing
     * ones in the background and reporting each shard's progress to {@code rebuildProgress}.
     */
    public ClipIndexer(
            String storeName,
            String deletedStoreName,
            IndexModels models,
            RebuildProgress rebuildProgress,
            Maintenance maintenance,
            Consumer<MaintenanceReport> observer) {
        this.storeName = Objects.requireNonNull(storeName, "storeName");
        this.deletedStoreName = Objects.requireNonNull(deletedStoreName, "deletedStoreName");
        this.models = Objects.requireNonNull(models, "models");
        this.rebuildProgress = Objects.requireNonNull(rebuildProgress, "rebuildProgress");
        this.maintenanceSettings = Objects.requireNonNull(maintenance, "maintenance");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public void init(ProcessorContext<String, IndexOutcome> processorContext) {
        this.context = processorContext;
        this.store = processorContext.getStateStore(storeName);
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
            case ClipWork.Index index -> index(record, index.clip(), index.provisional());
            case ClipWork.RemoveSource remove -> maintenance.deleteSource(remove.sourceId());
            case ClipWork.Reject reject -> context.forward(record.withValue(new IndexOutcome.Failed(reject.error())));
        }
    }

    private void index(Record<String, ClipWork> record, AssembledClip clip, boolean provisional) {
        Set<String> versions = clip.frames().stream()
                .map(frame -> frame.getModelVersion().toString())
                .collect(Collectors.toSet());
        if (versions.size() != 1) {
            fail(record, clip, provisional, "MixedModelVersions", "frames come from model versions " + versions);
            return;
        }
        String framesVersion = versions.iterator().next();
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
        List<float[]> embeddings = new ArrayList<>(clip.frames().size());
        for (FrameEmbedding frame : clip.frames()) {
            float[] values = new float[frame.getEmbedding().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = frame.getEmbedding().get(i);
            }
            embeddings.add(values);
        }
        float[][] frames = embeddings.toArray(float[][]::new);
        FrameEmbedding first = clip.frames().getFirst();
        ClipVector forwarded = null;
        for (VersionTarget target : targets) {
            float[] vector;
            try {
                vector = target.aggregator().aggregate(embeddings);
            } catch (IllegalArgumentException e) {
                fail(
                        record,
                        clip,
                        provisional,
                        "AggregationFailed",
                        "model version " + target.version() + ": " + e.getMessage());
                return;
            }
            List<Float> boxed = new ArrayList<>(vector.length);
            for (float value : vector) {
                boxed.add(value);
            }
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
            // The vector above comes from the exact frames; only what is stored and sent is compacted, as the
            // version's model says.
            try {
                ClipFrames.set(builder, frames, target.aggregator().frameEncoding());
            } catch (IllegalArgumentException e) {
                fail(
                        record,
                        clip,
                        provisional,
                        "FrameEncodingFailed",
                        "model version " + target.version() + ": " + e.getMessage());
                return;
            }
            ClipVector clipVector = builder.build();
            store.put(clipVector);
            if (forwarded == null) {
                forwarded = clipVector;
            }
        }
        // The clip-vectors topic is keyed by clip id: it carries each closed clip once, under its frames' version when
        // kept; a provisional clip stays in the store (and its changelog) until the closed clip replaces it.
        if (!provisional) {
            context.forward(record.withValue(new IndexOutcome.Indexed(forwarded)));
        }
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
        ShardRebuild.Step step = rebuild.step(store, models.snapshot(), nowMillis);
        rebuildProgress.report(partition, step.progress());
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
