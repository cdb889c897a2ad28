package io.clip4stream.encoder;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Cuts the records of many sources into micro-batches of at most {@code maxBatchFrames} frames, keeping arrival order.
 *
 * <p>Every record polled from Kafka enters the batcher, frame or not (clip boundaries, end markers, rejected records),
 * so a batch is always a prefix of the pending records: each lane's (partition's) records in a batch are a prefix of
 * its pending records, and a batch's outputs can be produced in input order with one offset per lane. A batch is ready
 * when {@code maxBatchFrames} frames are pending or when the oldest pending record has waited {@code maxWait}.
 *
 * <p>Pure and single-threaded: time is passed in as {@code System.nanoTime()}-style nanoseconds.
 *
 * @param <L> the lane, e.g. a topic partition
 * @param <T> the record
 */
public final class FrameBatcher<L, T> {

    /**
     * One pending record.
     *
     * @param lane the lane it came from
     * @param item the record
     * @param frame whether it counts towards the batch size
     * @param arrivalNanos when it arrived
     * @param <L> the lane type
     * @param <T> the record type
     */
    public record Entry<L, T>(L lane, T item, boolean frame, long arrivalNanos) {}

    /**
     * A cut batch: records in arrival order.
     *
     * @param entries the records, frames and others interleaved as they arrived
     * @param frames how many of them are frames
     * @param <L> the lane type
     * @param <T> the record type
     */
    public record Batch<L, T>(List<Entry<L, T>> entries, int frames) {
        /** Copies the entries. */
        public Batch {
            entries = List.copyOf(entries);
        }

        /** The distinct lanes of the batch. */
        public Set<L> lanes() {
            return Set.copyOf(entries.stream().map(Entry::lane).toList());
        }
    }

    private final int maxBatchFrames;
    private final long maxWaitNanos;
    private final int maxPendingFrames;
    private final ArrayDeque<Entry<L, T>> pending = new ArrayDeque<>();
    private int pendingFrames;

    /**
     * Creates a batcher.
     *
     * @param maxBatchFrames most frames per batch
     * @param maxWait longest time a record waits for a batch to fill
     * @param maxPendingFrames pending frames at which {@link #full()} asks the caller to stop reading
     */
    public FrameBatcher(int maxBatchFrames, Duration maxWait, int maxPendingFrames) {
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxBatchFrames < 1 || maxWait.isNegative() || maxPendingFrames < maxBatchFrames) {
            throw new IllegalArgumentException("need 1 <= max batch (" + maxBatchFrames + ") <= max pending ("
                    + maxPendingFrames + ") and a non-negative max wait (" + maxWait + ")");
        }
        this.maxBatchFrames = maxBatchFrames;
        this.maxWaitNanos = maxWait.toNanos();
        this.maxPendingFrames = maxPendingFrames;
    }

    /** Appends a record that arrived at {@code nowNanos}. */
    public void add(L lane, T item, boolean frame, long nowNanos) {
        pending.addLast(new Entry<>(Objects.requireNonNull(lane, "lane"), item, frame, nowNanos));
        if (frame) {
            pendingFrames++;
        }
    }

    /** Whether a batch can be cut at {@code nowNanos}. */
    public boolean ready(long nowNanos) {
        return nanosUntilReady(nowNanos) == 0;
    }

    /** Nanoseconds until a batch is ready: 0 when it is, {@link Long#MAX_VALUE} when nothing is pending. */
    public long nanosUntilReady(long nowNanos) {
        if (pending.isEmpty()) {
            return Long.MAX_VALUE;
        }
        if (pendingFrames >= maxBatchFrames) {
            return 0;
        }
        long waited = nowNanos - pending.peekFirst().arrivalNanos();
        return Math.max(0, maxWaitNanos - waited);
    }

    /**
     * Cuts the next batch when one is ready: pending records in order up to the {@code maxBatchFrames}-th frame, plus
     * the non-frame records that directly follow it (a clip's boundary goes out with its last frame).
     */
    public Optional<Batch<L, T>> next(long nowNanos) {
        if (!ready(nowNanos)) {
            return Optional.empty();
        }
        List<Entry<L, T>> taken = new ArrayList<>();
        int frames = 0;
        while (!pending.isEmpty()) {
            Entry<L, T> head = pending.peekFirst();
            if (head.frame() && frames == maxBatchFrames) {
                break;
            }
            pending.removeFirst();
            taken.add(head);
            if (head.frame()) {
                frames++;
            }
        }
        pendingFrames -= frames;
        return Optional.of(new Batch<>(taken, frames));
    }

    /** Drops every pending record of {@code lanes} (their partitions were revoked) and returns how many. */
    public int dropLanes(Collection<L> lanes) {
        int dropped = 0;
        for (Iterator<Entry<L, T>> it = pending.iterator(); it.hasNext(); ) {
            Entry<L, T> entry = it.next();
            if (lanes.contains(entry.lane())) {
                it.remove();
                dropped++;
                if (entry.frame()) {
                    pendingFrames--;
                }
            }
        }
        return dropped;
    }

    /** Drops every pending record. */
    public void clear() {
        pending.clear();
        pendingFrames = 0;
    }

    /** Whether {@code maxPendingFrames} frames are pending, so the caller should stop reading. */
    public boolean full() {
        return pendingFrames >= maxPendingFrames;
    }

    /** Pending frames. */
    public int pendingFrames() {
        return pendingFrames;
    }

    /** Pending records of any kind. */
    public int pendingRecords() {
        return pending.size();
    }
}
