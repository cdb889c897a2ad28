package io.clip4stream.encoder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bookkeeping of the encode loop's open transaction, without Kafka: whether one is open and since when, the next
 * input offset to commit per lane (partition), the batches produced into it (reported to the metrics once it
 * commits), and when the commit interval says it is due.
 *
 * @param <L> the lane type (a topic partition)
 */
final class TransactionLedger<L> {

    /**
     * A batch produced into the open transaction.
     *
     * @param frames frames embedded
     * @param forwarded boundaries and end markers passed on
     * @param embedNanos time the model took
     * @param rejectedTypes error types of the records sent to the errors topic
     * @param reused frames whose embedding the static-scene gate reused instead of running the model
     * @param reencoded frames re-encoded from kept media, by the model version they were encoded for
     */
    record Produced(
            int frames,
            int forwarded,
            long embedNanos,
            List<String> rejectedTypes,
            int reused,
            Map<String, Integer> reencoded) {

        /** Copies the collections. */
        Produced {
            rejectedTypes = List.copyOf(rejectedTypes);
            reencoded = Map.copyOf(reencoded);
        }

        /** A batch without reused or re-encoded frames. */
        Produced(int frames, int forwarded, long embedNanos, List<String> rejectedTypes) {
            this(frames, forwarded, embedNanos, rejectedTypes, 0, Map.of());
        }
    }

    private final long commitIntervalNanos;
    private final Map<L, Long> nextOffsets = new HashMap<>();
    private final List<Produced> batches = new ArrayList<>();
    private boolean open;
    private long openedAtNanos;

    /** A ledger whose transactions are due {@code commitIntervalNanos} after they open. */
    TransactionLedger(long commitIntervalNanos) {
        if (commitIntervalNanos < 0) {
            throw new IllegalArgumentException("the commit interval must not be negative; was " + commitIntervalNanos);
        }
        this.commitIntervalNanos = commitIntervalNanos;
    }

    /** Whether a transaction is open. */
    boolean isOpen() {
        return open;
    }

    /** Records that a transaction was begun at {@code nowNanos}. */
    void opened(long nowNanos) {
        open = true;
        openedAtNanos = nowNanos;
    }

    /** Records that the record at {@code offset} of {@code lane} was consumed by the open transaction. */
    void consumed(L lane, long offset) {
        nextOffsets.merge(lane, offset + 1, Math::max);
    }

    /** Records a batch produced into the open transaction. */
    void produced(Produced batch) {
        batches.add(batch);
    }

    /** Whether the open transaction has reached its commit interval at {@code nowNanos}. */
    boolean due(long nowNanos) {
        return open && nowNanos - openedAtNanos >= commitIntervalNanos;
    }

    /** How long from {@code nowNanos} until the open transaction is due (0 when it is), capped at {@code most}. */
    long nanosUntilDue(long nowNanos, long most) {
        return open ? Math.max(0, Math.min(most, openedAtNanos + commitIntervalNanos - nowNanos)) : most;
    }

    /** The next offset to commit per lane. */
    Map<L, Long> nextOffsets() {
        return Map.copyOf(nextOffsets);
    }

    /** The batches produced into the open transaction, in order. */
    List<Produced> batches() {
        return List.copyOf(batches);
    }

    /** Forgets the transaction (committed or aborted); no transaction is open afterwards. */
    void clear() {
        open = false;
        nextOffsets.clear();
        batches.clear();
    }
}
