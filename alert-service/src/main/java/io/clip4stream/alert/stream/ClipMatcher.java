package io.clip4stream.alert.stream;

import io.clip4stream.alert.match.ClipScore;
import io.clip4stream.alert.match.Moment;
import io.clip4stream.alert.match.MomentState;
import io.clip4stream.alert.match.MomentTracker;
import io.clip4stream.alert.match.QueryBank;
import io.clip4stream.alert.match.ScoreSketch;
import io.clip4stream.alert.match.TightStage;
import io.clip4stream.alert.match.WatchedQuery;
import io.clip4stream.schemas.avro.Alert;
import io.clip4stream.schemas.avro.AlertState;
import io.clip4stream.schemas.avro.ClipVector;
import io.clip4stream.schemas.frames.ClipFrames;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Scores each clip of a source against every standing query that watches it (one matrix product), updates each
 * query's calibration, and merges matches into moments, forwarding every opened, extended or closed moment as an
 * {@link Alert} keyed by its id.
 *
 * <p>Moment state is written to its changelogged store on every change, so exactly-once processing makes a restart
 * mid-moment continue the same alert. Calibration changes with every clip of every query; it is kept in memory and
 * written to its store every {@code calibrationFlush}, so a crash forgets at most that much calibration (a threshold
 * then moves a little; no alert is lost or duplicated by it).
 *
 * <p>With a model whose tight head was trained, clips the first stage puts near or above a query's threshold (the
 * {@link TightStage} pre-filter) are re-scored with the tight head and the fused score decides; calibration stays on
 * first-stage scores, the only ones every clip has. Each alert records which score it used.
 */
final class ClipMatcher implements Processor<String, ClipVector, String, Alert> {
    private static final char KEY_SEPARATOR = '\u0000';

    /** {@code Alert.scoreKind} of alerts decided on the first-stage cosine. */
    static final String FIRST_STAGE = "first-stage";

    /** {@code Alert.scoreKind} of alerts decided on the fused tight and first-stage score. */
    static final String FUSED = "fused";

    private final StandingQueryRegistry registry;
    private final String momentStoreName;
    private final String calibrationStoreName;
    private final Duration calibrationFlush;
    private final LongSupplier clock;
    private final MatchObserver observer;
    private final Optional<TightScorer> tight;
    private final String orderStoreName;
    private final String pendingStoreName;
    private final Map<String, ScoreSketch> sketches = new HashMap<>();
    // Sources whose pending clips waited through one reorder check already; released at the next.
    private final Set<String> waiting = new HashSet<>();
    // When each source's last clip was matched (wall clock): a moment of a source that went quiet is closed once
    // its gap passed in wall time too, or a live stream that stops would leave its last alert open for ever.
    private final Map<String, Long> lastClipAt = new HashMap<>();
    private final Set<String> dirty = new HashSet<>();
    // Mirror of the moment store's open moments by source, so a clip reads the store only for queries that match it
    // or have a moment open on its source, not for all of them.
    private final Map<String, Set<String>> openBySource = new HashMap<>();
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, byte[]> moments;
    private KeyValueStore<String, byte[]> calibration;
    private KeyValueStore<String, Long> order;
    private KeyValueStore<String, ClipVector> pending;
    private float[] scores = new float[0];

    ClipMatcher(
            StandingQueryRegistry registry,
            String momentStoreName,
            String calibrationStoreName,
            String orderStoreName,
            String pendingStoreName,
            Duration calibrationFlush,
            LongSupplier clock,
            MatchObserver observer) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.momentStoreName = momentStoreName;
        this.calibrationStoreName = calibrationStoreName;
        this.orderStoreName = orderStoreName;
        this.pendingStoreName = pendingStoreName;
        this.calibrationFlush = calibrationFlush;
        this.clock = clock;
        this.observer = observer;
        this.tight = registry.tightScorer();
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.moments = context.getStateStore(momentStoreName);
        this.calibration = context.getStateStore(calibrationStoreName);
        this.order = context.getStateStore(orderStoreName);
        this.pending = context.getStateStore(pendingStoreName);
        try (KeyValueIterator<String, byte[]> all = moments.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                if (MomentState.fromBytes(entry.value).open().isPresent()) {
                    int split = entry.key.indexOf(KEY_SEPARATOR);
                    openBySource
                            .computeIfAbsent(entry.key.substring(0, split), s -> new HashSet<>())
                            .add(entry.key.substring(split + 1));
                }
            }
        }
        context.schedule(calibrationFlush, PunctuationType.WALL_CLOCK_TIME, now -> flushCalibration());
        context.schedule(REORDER_WAIT, PunctuationType.WALL_CLOCK_TIME, now -> {
            releaseStuck();
            closeQuiet(now);
        });
    }

    @Override
    public void process(Record<String, ClipVector> record) {
        ClipVector clip = record.value();
        if (clip == null) {
            return;
        }
        // Clip vectors are keyed by clip id, so a source's clips reach this task through several partitions, out of
        // order; moments need them in order. Each source's clips are released by clip index, holding early ones
        // back until the gap fills (or MAX_PENDING are held, or a hole outlives two reorder checks).
        String sourceId = clip.getSourceId();
        Long next = order.get(sourceId);
        long index = clip.getClipIndex();
        if (next == null || index == next) {
            match(clip, record.timestamp());
            releaseFrom(sourceId, index + 1, record.timestamp());
        } else if (index < next) {
            match(clip, record.timestamp()); // late or repeated: the tracker never reopens a closed moment for it
        } else {
            pending.put(pendingKey(sourceId, index), clip);
            if (pendingCount(sourceId) > MAX_PENDING) {
                releaseFrom(sourceId, firstPending(sourceId), record.timestamp());
            }
        }
    }

    private static final int MAX_PENDING = 8;
    private static final Duration REORDER_WAIT = Duration.ofSeconds(1);
    // A live source's next clip comes a clip length (12 s at the defaults) plus pipeline delay after the last: only a
    // silence this much longer than the gap means the source went quiet.
    private static final Duration QUIET_SLACK = Duration.ofSeconds(60);

    private static String pendingKey(String sourceId, long index) {
        return sourceId + KEY_SEPARATOR + String.format("%019d", index);
    }

    /** Matches the pending clips of {@code sourceId} from {@code from} on while they are consecutive. */
    private void releaseFrom(String sourceId, long from, long timestamp) {
        long next = from;
        while (true) {
            String key = pendingKey(sourceId, next);
            ClipVector held = pending.get(key);
            if (held == null) {
                break;
            }
            pending.delete(key);
            match(held, timestamp);
            next++;
        }
        order.put(sourceId, next);
        waiting.remove(sourceId);
    }

    private long pendingCount(String sourceId) {
        long count = 0;
        try (KeyValueIterator<String, ClipVector> it =
                pending.range(sourceId + KEY_SEPARATOR, sourceId + (char) (KEY_SEPARATOR + 1))) {
            while (it.hasNext()) {
                it.next();
                count++;
            }
        }
        return count;
    }

    private long firstPending(String sourceId) {
        try (KeyValueIterator<String, ClipVector> it =
                pending.range(sourceId + KEY_SEPARATOR, sourceId + (char) (KEY_SEPARATOR + 1))) {
            return it.next().value.getClipIndex();
        }
    }

    private void releaseStuck() {
        Set<String> stuck = new HashSet<>();
        try (KeyValueIterator<String, ClipVector> it = pending.all()) {
            it.forEachRemaining(entry -> stuck.add(entry.value.getSourceId()));
        }
        for (String sourceId : stuck) {
            if (waiting.contains(sourceId)) {
                releaseFrom(sourceId, firstPending(sourceId), context.currentSystemTimeMs());
            } else {
                waiting.add(sourceId);
            }
        }
    }

    /** Closes the open moments of sources that sent no clip for their query's gap and a slack (wall clock). */
    private void closeQuiet(long now) {
        QueryBank bank = registry.bank();
        for (Map.Entry<String, Set<String>> entry : openBySource.entrySet()) {
            String sourceId = entry.getKey();
            // After a restart the source gets a full gap from now before its moments close.
            long last = lastClipAt.computeIfAbsent(sourceId, s -> now);
            for (String queryId : List.copyOf(entry.getValue())) {
                java.util.OptionalInt row = bank.row(queryId);
                if (row.isEmpty()) {
                    continue;
                }
                WatchedQuery query = bank.queries().get(row.getAsInt());
                if (now - last < query.gap().plus(QUIET_SLACK).toMillis()) {
                    continue;
                }
                String key = sourceId + KEY_SEPARATOR + queryId;
                byte[] stored = moments.get(key);
                if (stored == null) {
                    entry.getValue().remove(queryId);
                    continue;
                }
                MomentTracker.Step step = MomentTracker.close(MomentState.fromBytes(stored));
                moments.put(key, step.next().toBytes());
                entry.getValue().remove(queryId);
                for (MomentTracker.MomentEvent event : step.events()) {
                    Alert alert = toAlert(query, sourceId, event, tight.isPresent() ? FUSED : FIRST_STAGE);
                    context.forward(new Record<>(alert.getAlertId(), alert, now));
                }
            }
        }
    }

    private void match(ClipVector clip, long timestamp) {
        long started = System.nanoTime();
        lastClipAt.put(clip.getSourceId(), context.currentSystemTimeMs());
        QueryBank bank = registry.bank();
        if (bank.size() == 0) {
            return;
        }
        float[] vector = new float[clip.getVector().size()];
        for (int d = 0; d < vector.length; d++) {
            vector[d] = clip.getVector().get(d);
        }
        if (vector.length != bank.dim()) {
            // Another model's clip (or the queries of another model): nothing here can be compared with it.
            return;
        }
        if (scores.length != bank.size()) {
            scores = new float[bank.size()];
        }
        bank.scoreInto(vector, scores);
        String sourceId = clip.getSourceId();
        List<String> tags = clip.getTags();
        double clipSeconds = (clip.getEndTimeMicros() - clip.getStartTimeMicros()) / 1e6;
        Set<String> open = openBySource.getOrDefault(sourceId, Set.of());
        // The tight head reads this model's frames only: a clip of another version, or without frames, is first-stage.
        TightScorer scorer = tight.isPresent()
                        && !ClipFrames.isEmpty(clip)
                        && clip.getModelVersion().equals(registry.modelVersion())
                ? tight.get()
                : null;
        float[][] frames = null;
        List<WatchedQuery> queries = bank.queries();
        int matches = 0;
        for (int row = 0; row < queries.size(); row++) {
            WatchedQuery query = queries.get(row);
            if (!query.watches(sourceId, tags)) {
                continue;
            }
            ScoreSketch sketch = sketch(query.queryId());
            double threshold = query.rule().threshold(sketch);
            double score = scores[row];
            sketch.add(score, clipSeconds);
            dirty.add(query.queryId());
            if (scorer != null && scorer.stage().candidate(score, threshold)) {
                if (frames == null) {
                    frames = ClipFrames.of(clip);
                }
                float logit = scorer.logits(List.of(query.rawVector()), frames)[0];
                score = scorer.stage().fused(score, logit);
            }
            if (score < threshold && !open.contains(query.queryId())) {
                continue;
            }
            matches++;
            ClipScore clipScore = new ClipScore(
                    clip.getClipId(),
                    clip.getStartTimeMicros(),
                    clip.getEndTimeMicros(),
                    score,
                    clip.getIndexedAtMillis());
            String key = sourceId + KEY_SEPARATOR + query.queryId();
            byte[] stored = moments.get(key);
            MomentState state = stored == null ? MomentState.NONE : MomentState.fromBytes(stored);
            MomentTracker.Step step = MomentTracker.step(
                    query.queryId(), sourceId, state, clipScore, threshold, query.gap(), query.cooldown());
            if (!step.next().equals(state)) {
                moments.put(key, step.next().toBytes());
                if (step.next().open().isPresent()) {
                    openBySource.computeIfAbsent(sourceId, s -> new HashSet<>()).add(query.queryId());
                } else {
                    openBySource.getOrDefault(sourceId, new HashSet<>()).remove(query.queryId());
                }
            }
            for (MomentTracker.MomentEvent event : step.events()) {
                Alert alert = toAlert(query, sourceId, event, scorer != null ? FUSED : FIRST_STAGE);
                context.forward(new Record<>(alert.getAlertId(), alert, timestamp));
            }
        }
        observer.clipScored(bank.size(), matches, System.nanoTime() - started);
    }

    private Alert toAlert(WatchedQuery query, String sourceId, MomentTracker.MomentEvent event, String scoreKind) {
        Moment moment = event.moment();
        return Alert.newBuilder()
                .setAlertId(moment.alertId())
                .setQueryId(query.queryId())
                .setQueryText(query.text())
                .setSourceId(sourceId)
                .setStartTimeMicros(moment.startMicros())
                .setEndTimeMicros(moment.endMicros())
                .setBestClipId(moment.bestClipId())
                .setBestScore(moment.bestScore())
                .setThreshold(moment.threshold())
                .setClips(moment.clips())
                .setState(event.closed() ? AlertState.CLOSED : AlertState.OPEN)
                .setRevision(moment.revision())
                .setClipIndexedAtMillis(moment.clipIndexedAtMillis())
                .setUpdatedAtMillis(clock.getAsLong())
                .setScoreKind(scoreKind)
                .build();
    }

    private ScoreSketch sketch(String queryId) {
        ScoreSketch sketch = sketches.get(queryId);
        if (sketch == null) {
            byte[] stored = calibration.get(queryId);
            sketch = stored == null ? new ScoreSketch() : ScoreSketch.fromBytes(stored);
            sketches.put(queryId, sketch);
        }
        return sketch;
    }

    private void flushCalibration() {
        for (String queryId : dirty) {
            calibration.put(queryId, sketches.get(queryId).toBytes());
        }
        dirty.clear();
    }

    @Override
    public void close() {
        sketches.clear();
        openBySource.clear();
    }
}
