package io.clip4stream.index.topology;

import io.clip4stream.index.aggregate.ClipAggregator;
import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.index.store.Removal;
import io.clip4stream.index.store.RemovalBudget;
import io.clip4stream.index.store.SourceSpan;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.FrameEmbedding;
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
    private final ClipAggregator aggregator;
    private final Maintenance maintenanceSettings;
    private final Consumer<MaintenanceReport> observer;
    private ProcessorContext<String, IndexOutcome> context;
    private ClipVectorStore store;
    private IndexMaintenance maintenance;

    /**
     * How a shard is maintained.
     *
     * @param retention per source, clips ending more than this before the newest expire; zero keeps every clip
     * @param retentionCheck how often retention is applied
     * @param interval how often the maintenance tick runs (deletions wait at most about this long)
     * @param budget what one tick may do on the stream thread
     */
    public record Maintenance(Duration retention, Duration retentionCheck, Duration interval, RemovalBudget budget) {

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
        this.storeName = Objects.requireNonNull(storeName, "storeName");
        this.deletedStoreName = Objects.requireNonNull(deletedStoreName, "deletedStoreName");
        this.aggregator = Objects.requireNonNull(aggregator, "aggregator");
        this.maintenanceSettings = Objects.requireNonNull(maintenance, "maintenance");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    @Override
    public void init(ProcessorContext<String, IndexOutcome> processorContext) {
        this.context = processorContext;
        this.store = processorContext.getStateStore(storeName);
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
        List<float[]> embeddings = new ArrayList<>(clip.frames().size());
        List<List<Float>> stored = new ArrayList<>(clip.frames().size());
        for (FrameEmbedding frame : clip.frames()) {
            stored.add(frame.getEmbedding());
            float[] values = new float[frame.getEmbedding().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = frame.getEmbedding().get(i);
            }
            embeddings.add(values);
        }
        float[] vector;
        try {
            vector = aggregator.aggregate(embeddings);
        } catch (IllegalArgumentException e) {
            fail(record, clip, provisional, "AggregationFailed", e.getMessage());
            return;
        }
        List<Float> boxed = new ArrayList<>(vector.length);
        for (float value : vector) {
            boxed.add(value);
        }
        FrameEmbedding first = clip.frames().getFirst();
        ClipVector clipVector = ClipVector.newBuilder()
                .setClipId(clip.clipId())
                .setSourceId(clip.sourceId())
                .setClipIndex(clip.clipIndex())
                .setStartTimeMicros(clip.startTimeMicros())
                .setEndTimeMicros(clip.endTimeMicros())
                .setTenant(clip.tenant())
                .setTags(List.copyOf(clip.tags()))
                .setThumbnailJpeg(clip.thumbnailJpeg())
                .setModelId(first.getModelId())
                .setModelVersion(first.getModelVersion())
                .setAggregation(aggregator.aggregation())
                .setVector(boxed)
                .setFrameEmbeddings(stored)
                .setIndexedAtMillis(context.currentSystemTimeMs())
                .setProvisional(provisional)
                .build();
        store.put(clipVector);
        if (!provisional) {
            context.forward(record.withValue(new IndexOutcome.Indexed(clipVector)));
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
}
