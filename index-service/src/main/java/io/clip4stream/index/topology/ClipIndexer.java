package io.clip4stream.index.topology;

import io.clip4stream.index.aggregate.ClipAggregator;
import io.clip4stream.index.store.ClipKey;
import io.clip4stream.index.store.ClipVectorStore;
import io.clip4stream.index.store.SourceSpan;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.avro.FrameEmbedding;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Aggregates assembled clips with the model's head and writes them to the task's {@link ClipVectorStore}; removes a
 * deleted source's clips; applies per-source retention on a wall-clock schedule. Each change is reported downstream.
 */
public final class ClipIndexer implements Processor<String, ClipWork, String, IndexOutcome> {

    private final String storeName;
    private final ClipAggregator aggregator;
    private final Duration retention;
    private final Duration retentionCheck;
    private ProcessorContext<String, IndexOutcome> context;
    private ClipVectorStore store;

    /** An indexer writing to the store {@code storeName}; a zero {@code retention} keeps every clip. */
    public ClipIndexer(String storeName, ClipAggregator aggregator, Duration retention, Duration retentionCheck) {
        this.storeName = Objects.requireNonNull(storeName, "storeName");
        this.aggregator = Objects.requireNonNull(aggregator, "aggregator");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.retentionCheck = Objects.requireNonNull(retentionCheck, "retentionCheck");
    }

    @Override
    public void init(ProcessorContext<String, IndexOutcome> processorContext) {
        this.context = processorContext;
        this.store = processorContext.getStateStore(storeName);
        if (!retention.isZero()) {
            processorContext.schedule(retentionCheck, PunctuationType.WALL_CLOCK_TIME, this::applyRetention);
        }
    }

    @Override
    public void process(Record<String, ClipWork> record) {
        switch (record.value()) {
            case ClipWork.Index index -> index(record, index.clip());
            case ClipWork.RemoveSource remove -> {
                for (ClipKey key : store.deleteSource(remove.sourceId())) {
                    context.forward(record.withValue(new IndexOutcome.Removed(key)));
                }
            }
            case ClipWork.Reject reject -> context.forward(record.withValue(new IndexOutcome.Failed(reject.error())));
        }
    }

    private void index(Record<String, ClipWork> record, AssembledClip clip) {
        Set<String> versions = clip.frames().stream()
                .map(frame -> frame.getModelVersion().toString())
                .collect(Collectors.toSet());
        if (versions.size() != 1) {
            fail(record, clip, "MixedModelVersions", "frames come from model versions " + versions);
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
            fail(record, clip, "AggregationFailed", e.getMessage());
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
                .build();
        store.put(clipVector);
        context.forward(record.withValue(new IndexOutcome.Indexed(clipVector)));
    }

    private void fail(Record<String, ClipWork> record, AssembledClip clip, String type, String message) {
        context.forward(record.withValue(new IndexOutcome.Failed(PipelineErrors.of(
                context,
                clip.sourceId(),
                type,
                "clip " + clip.clipId() + " of source " + clip.sourceId() + ": " + message))));
    }

    private void applyRetention(long nowMillis) {
        long keepMicros = retention.get(ChronoUnit.SECONDS) * 1_000_000L + retention.getNano() / 1_000L;
        for (SourceSpan span : store.sourceSpans()) {
            long cutoff = span.newestEndMicros() - keepMicros;
            if (span.oldestEndMicros() < cutoff) {
                for (ClipKey key : store.expire(span.sourceId(), cutoff)) {
                    context.forward(new Record<>(span.sourceId(), new IndexOutcome.Removed(key), nowMillis));
                }
            }
        }
    }
}
