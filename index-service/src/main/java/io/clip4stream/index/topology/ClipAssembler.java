package io.clip4stream.index.topology;

import io.clip4stream.schemas.ClipIds;
import io.clip4stream.schemas.avro.ClipBoundary;
import io.clip4stream.schemas.avro.EndOfSource;
import io.clip4stream.schemas.avro.EndReason;
import io.clip4stream.schemas.avro.FrameEmbedding;
import io.clip4stream.schemas.avro.SourceDeletion;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns each source's frame embeddings and clip boundaries into closed clips.
 *
 * <p>Frames are buffered by (source, frame index), so a duplicate frame replaces its earlier copy and frames may
 * arrive in any order before their boundary. A boundary takes the frames {@code [first, first + count)} (windows may
 * overlap, so a frame can serve several clips) and frees the frames before {@code first}. When a source's newest frame
 * is older than the clip timeout (wall clock) and frames of an unclosed clip are buffered, those frames are closed as
 * one clip per clip index, with the tenant and tags of the source's last boundary; an end-of-source marker does the
 * same at once. A deletion drops the source's buffered frames and asks the indexer to remove its clips.
 *
 * <p>Every {@code provisionalEvery} frames of the newest clip still open (a live source), the clip grown so far is
 * handed on as a provisional clip: its frames from the first one of its clip index up to the newest, under the id its
 * boundary will give it ({@link ClipIds}, the window's first frame), so the closed clip replaces it in the store. Zero
 * turns this off. At most one provisional clip per source is handed on per {@link #PROVISIONAL_MIN_INTERVAL}, so a
 * source read faster than real time (a file) is not written many times over.
 *
 * <p>A re-encoding of a source's kept media for a model version of another visual encoder (events carrying
 * {@code reencodeFor}) is assembled in its own {@link Lane}, apart from the source's own stream, with no provisional
 * clips; its end marker tells the indexer the source is settled for that version.
 *
 * <p>A deletion also leaves a permanent marker (the source id and the deletion's request time): frames, boundaries and
 * end markers of a deleted source that arrive later (encoded before the run stopped, still in flight) are dropped, so
 * they cannot bring clips of the source back. The marker never expires because the ingest service refuses to reuse
 * the id of a deleted source (409), so no later event of that id can belong to a new ingest.
 */
public final class ClipAssembler implements Processor<String, IndexEvent, String, ClipWork> {

    private static final int FRAME_INDEX_DIGITS = 19;

    /**
     * At most one provisional clip per source this often (wall clock). A live source's frames come about a sampling
     * interval apart, so this never holds one back; a file decoded faster than real time would otherwise write its
     * every clip several times over (each a store put and a changelog record) for no reader.
     */
    static final Duration PROVISIONAL_MIN_INTERVAL = Duration.ofMillis(500);

    private final String frameStoreName;
    private final String progressStoreName;
    private final String deletedStoreName;
    private final Duration timeout;
    private final int provisionalEvery;
    // In memory only: after a restart the first provisional clip of a source simply comes at once.
    private final Map<String, Long> lastProvisionalAt = new HashMap<>();
    private ProcessorContext<String, ClipWork> context;
    private KeyValueStore<String, FrameEmbedding> frames;
    private KeyValueStore<String, SourceProgress> progress;
    private KeyValueStore<String, Long> deleted;

    /**
     * An assembler using the three named stores (frames, progress, deletion markers) and closing stalled clips after
     * {@code timeout}, with no provisional clips.
     */
    public ClipAssembler(String frameStoreName, String progressStoreName, String deletedStoreName, Duration timeout) {
        this(frameStoreName, progressStoreName, deletedStoreName, timeout, 0);
    }

    /**
     * An assembler using the three named stores (frames, progress, deletion markers), closing stalled clips after
     * {@code timeout} and handing on a provisional clip every {@code provisionalEvery} frames of an open clip (0:
     * never).
     */
    public ClipAssembler(
            String frameStoreName,
            String progressStoreName,
            String deletedStoreName,
            Duration timeout,
            int provisionalEvery) {
        this.frameStoreName = Objects.requireNonNull(frameStoreName, "frameStoreName");
        this.progressStoreName = Objects.requireNonNull(progressStoreName, "progressStoreName");
        this.deletedStoreName = Objects.requireNonNull(deletedStoreName, "deletedStoreName");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (provisionalEvery < 0) {
            throw new IllegalArgumentException("provisionalEvery must be >= 0; was " + provisionalEvery);
        }
        this.provisionalEvery = provisionalEvery;
    }

    @Override
    public void init(ProcessorContext<String, ClipWork> processorContext) {
        this.context = processorContext;
        this.frames = processorContext.getStateStore(frameStoreName);
        this.progress = processorContext.getStateStore(progressStoreName);
        this.deleted = processorContext.getStateStore(deletedStoreName);
        Duration check = timeout.dividedBy(4);
        Duration interval = check.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : check;
        processorContext.schedule(
                interval.isZero() ? Duration.ofMillis(1) : interval,
                PunctuationType.WALL_CLOCK_TIME,
                this::closeStalled);
    }

    @Override
    public void process(Record<String, IndexEvent> record) {
        switch (record.value()) {
            case IndexEvent.Deletion deletion -> onDeletion(record, deletion.deletion());
            case IndexEvent.Embedding embedding -> {
                Object payload = embedding.record().getPayload();
                if (record.key() != null && deleted.get(record.key()) != null) {
                    // In flight when the source was deleted: indexing it would bring the source back.
                    return;
                }
                switch (payload) {
                    case FrameEmbedding frame -> onFrame(record, frame);
                    case ClipBoundary boundary -> onBoundary(record, boundary);
                    case EndOfSource end -> onEnd(record, end);
                    default -> reject(record, record.key(), "UnknownPayload", "unexpected payload " + payload);
                }
            }
        }
    }

    private void onFrame(Record<String, IndexEvent> record, FrameEmbedding frame) {
        String source = frame.getSourceId().toString();
        Lane lane = Lane.of(source, frame.getReencodeFor());
        if (frame.getFrameIndex() < 0 || frame.getClipIndex() < 0) {
            reject(
                    record,
                    source,
                    "InvalidFrame",
                    "frame index " + frame.getFrameIndex() + " / clip index " + frame.getClipIndex() + " of source "
                            + source + " is negative");
            return;
        }
        frames.put(frameKey(lane.key(), frame.getFrameIndex()), frame);
        SourceProgress state = progressOf(lane.key()).withFrame(frame.getClipIndex(), context.currentSystemTimeMs());
        progress.put(lane.key(), state);
        // Only the newest open clip grows; a late frame of a closed or older clip waits for its boundary. A re-encoding
        // of kept media is not live: its clips come whole.
        if (provisionalEvery > 0
                && !lane.reencode()
                && frame.getClipIndex() > state.lastClosedClipIndex()
                && frame.getClipIndex() == state.newestFrameClipIndex()) {
            indexProvisionally(record, source, frame.getClipIndex(), state);
        }
    }

    /**
     * Hands on clip {@code clipIndex} as grown so far when its buffered frame count is a multiple of the setting: its
     * window starts at the first buffered frame of that clip index and holds every buffered frame from there on.
     */
    private void indexProvisionally(
            Record<String, IndexEvent> record, String source, long clipIndex, SourceProgress state) {
        List<FrameEmbedding> buffered = new ArrayList<>();
        try (KeyValueIterator<String, FrameEmbedding> range =
                frames.range(frameKey(source, 0), frameKey(source, Long.MAX_VALUE))) {
            range.forEachRemaining(entry -> buffered.add(entry.value));
        }
        long start = buffered.stream()
                .filter(frame -> frame.getClipIndex() == clipIndex)
                .mapToLong(FrameEmbedding::getFrameIndex)
                .min()
                .orElseThrow();
        List<FrameEmbedding> growing = buffered.stream()
                .filter(frame -> frame.getFrameIndex() >= start)
                .toList();
        if (growing.size() % provisionalEvery != 0) {
            return;
        }
        long now = context.currentSystemTimeMs();
        Long last = lastProvisionalAt.get(source);
        if (last != null && now - last < PROVISIONAL_MIN_INTERVAL.toMillis()) {
            return;
        }
        lastProvisionalAt.put(source, now);
        context.forward(
                record.withValue(new ClipWork.Index(openClip(source, clipIndex, start, growing, state, false), true)));
    }

    /**
     * A clip assembled without a boundary (growing, or closed by timeout): id from its window's first frame, times from
     * its frames, tenant and tags of the source's last boundary, no thumbnail.
     */
    private static AssembledClip openClip(
            String source,
            long clipIndex,
            long firstFrameIndex,
            List<FrameEmbedding> clipFrames,
            SourceProgress state,
            boolean closedByTimeout) {
        long start = clipFrames.stream()
                .mapToLong(FrameEmbedding::getPresentationTimeMicros)
                .min()
                .orElseThrow();
        long end = clipFrames.stream()
                .mapToLong(FrameEmbedding::getPresentationTimeMicros)
                .max()
                .orElseThrow();
        return new AssembledClip(
                source,
                clipIndex,
                ClipIds.of(source, firstFrameIndex),
                start,
                end,
                state.tenant(),
                state.tags(),
                ByteBuffer.allocate(0),
                clipFrames,
                closedByTimeout);
    }

    private void onBoundary(Record<String, IndexEvent> record, ClipBoundary boundary) {
        String source = boundary.getSourceId().toString();
        Lane lane = Lane.of(source, boundary.getReencodeFor());
        long first = boundary.getFirstFrameIndex();
        long end = first + boundary.getFrameCount();
        if (first < 0 || boundary.getFrameCount() <= 0) {
            reject(
                    record,
                    source,
                    "InvalidBoundary",
                    "clip " + boundary.getClipId() + " has frames [" + first + ", " + end + ")");
            return;
        }
        List<FrameEmbedding> clipFrames = new ArrayList<>();
        try (KeyValueIterator<String, FrameEmbedding> range =
                frames.range(frameKey(lane.key(), first), frameKey(lane.key(), end - 1))) {
            range.forEachRemaining(entry -> clipFrames.add(entry.value));
        }
        List<String> tags =
                boundary.getTags().stream().map(CharSequence::toString).toList();
        if (clipFrames.isEmpty()) {
            reject(
                    record,
                    source,
                    "ClipWithoutFrames",
                    "clip " + boundary.getClipId() + " of source " + source + " closes frames [" + first + ", " + end
                            + ") but none of them arrived");
        } else {
            AssembledClip clip = new AssembledClip(
                    source,
                    boundary.getClipIndex(),
                    boundary.getClipId().toString(),
                    boundary.getStartTimeMicros(),
                    boundary.getEndTimeMicros(),
                    boundary.getTenant().toString(),
                    tags,
                    boundary.getThumbnailJpeg().asReadOnlyBuffer(),
                    clipFrames,
                    false);
            context.forward(record.withValue(new ClipWork.Index(clip, false, lane.reencodeFor())));
        }
        deleteFrames(lane.key(), 0, first - 1);
        progress.put(
                lane.key(),
                progressOf(lane.key())
                        .withBoundary(
                                boundary.getClipIndex(), boundary.getTenant().toString(), tags));
    }

    private void onEnd(Record<String, IndexEvent> record, EndOfSource end) {
        Lane lane = Lane.of(end.getSourceId(), end.getReencodeFor());
        SourceProgress state = progress.get(lane.key());
        if (state != null && state.hasOpenClip()) {
            closeOpenClips(lane, state, record.timestamp());
        }
        deleteFrames(lane.key(), 0, Long.MAX_VALUE);
        progress.delete(lane.key());
        if (lane.reencode()) {
            // Tells the indexer this source is settled for the version: re-encoded, or nothing kept to re-encode.
            context.forward(record.withValue(new ClipWork.Reencoded(
                    lane.sourceId(), lane.reencodeFor(), end.getReason() == EndReason.COMPLETED)));
        } else {
            lastProvisionalAt.remove(lane.sourceId());
        }
    }

    private void onDeletion(Record<String, IndexEvent> record, SourceDeletion deletion) {
        String source = deletion.getSourceId().toString();
        deleteFrames(source, 0, Long.MAX_VALUE);
        progress.delete(source);
        deleteReencodeLanes(source);
        lastProvisionalAt.remove(source);
        deleted.put(source, deletion.getRequestedAtMillis());
        context.forward(record.withValue(new ClipWork.RemoveSource(source)));
    }

    private void closeStalled(long nowMillis) {
        List<KeyValue<String, SourceProgress>> stalled = new ArrayList<>();
        try (KeyValueIterator<String, SourceProgress> all = progress.all()) {
            all.forEachRemaining(entry -> {
                if (entry.value.hasOpenClip() && nowMillis - entry.value.lastFrameAtMillis() >= timeout.toMillis()) {
                    stalled.add(entry);
                }
            });
        }
        for (KeyValue<String, SourceProgress> entry : stalled) {
            closeOpenClips(Lane.parse(entry.key), entry.value, nowMillis);
        }
    }

    /** Closes the buffered frames of unclosed clips as one clip per clip index, then frees them. */
    private void closeOpenClips(Lane lane, SourceProgress state, long timestamp) {
        String source = lane.sourceId();
        Map<Long, List<FrameEmbedding>> open = new TreeMap<>();
        try (KeyValueIterator<String, FrameEmbedding> range =
                frames.range(frameKey(lane.key(), 0), frameKey(lane.key(), Long.MAX_VALUE))) {
            range.forEachRemaining(entry -> {
                if (entry.value.getClipIndex() > state.lastClosedClipIndex()) {
                    open.computeIfAbsent(entry.value.getClipIndex(), index -> new ArrayList<>())
                            .add(entry.value);
                }
            });
        }
        long lastFrame = -1;
        long lastClip = state.lastClosedClipIndex();
        for (Map.Entry<Long, List<FrameEmbedding>> clip : open.entrySet()) {
            List<FrameEmbedding> clipFrames = clip.getValue();
            // Named by its first frame, as its boundary and its provisional versions would name it.
            AssembledClip assembled =
                    openClip(source, clip.getKey(), clipFrames.getFirst().getFrameIndex(), clipFrames, state, true);
            context.forward(new Record<>(
                    source, (ClipWork) new ClipWork.Index(assembled, false, lane.reencodeFor()), timestamp));
            lastFrame = Math.max(lastFrame, clipFrames.getLast().getFrameIndex());
            lastClip = Math.max(lastClip, clip.getKey());
        }
        deleteFrames(lane.key(), 0, lastFrame);
        progress.put(lane.key(), state.withClosedUpTo(lastClip));
    }

    /** Drops every re-encoding lane of {@code source}: its buffered frames and its progress. */
    private void deleteReencodeLanes(String source) {
        String from = source + Lane.SEPARATOR;
        String to = Lane.reencodeLanesEnd(source);
        List<String> frameKeys = new ArrayList<>();
        try (KeyValueIterator<String, FrameEmbedding> range = frames.range(from, to)) {
            range.forEachRemaining(entry -> frameKeys.add(entry.key));
        }
        frameKeys.forEach(frames::delete);
        List<String> laneKeys = new ArrayList<>();
        try (KeyValueIterator<String, SourceProgress> range = progress.range(from, to)) {
            range.forEachRemaining(entry -> laneKeys.add(entry.key));
        }
        laneKeys.forEach(progress::delete);
    }

    private void deleteFrames(String laneKey, long fromIndex, long toIndex) {
        if (toIndex < fromIndex) {
            return;
        }
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, FrameEmbedding> range =
                frames.range(frameKey(laneKey, fromIndex), frameKey(laneKey, toIndex))) {
            range.forEachRemaining(entry -> keys.add(entry.key));
        }
        keys.forEach(frames::delete);
    }

    private SourceProgress progressOf(String source) {
        SourceProgress state = progress.get(source);
        return state == null ? SourceProgress.empty() : state;
    }

    private void reject(Record<String, IndexEvent> record, String key, String type, String message) {
        context.forward(record.withValue(new ClipWork.Reject(PipelineErrors.of(context, key, type, message))));
    }

    /** The buffer key of a frame: source id, a NUL, the zero-padded frame index, so ranges follow frame order. */
    static String frameKey(String source, long frameIndex) {
        String digits = Long.toString(frameIndex);
        return source + '\u0000' + "0".repeat(FRAME_INDEX_DIGITS - digits.length()) + digits;
    }
}
