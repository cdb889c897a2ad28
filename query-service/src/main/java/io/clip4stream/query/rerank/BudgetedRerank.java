package io.clip4stream.query.rerank;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * Re-ranks the best candidates that fit in a latency budget: in batches, best first-stage candidates first, stopping
 * before a batch whose estimated cost ({@link RerankCost}) would take the time spent past the budget; a batch is cut
 * down to what still fits rather than skipped. Without an estimate yet, a small first batch ({@link #PROBE_BATCH}
 * candidates) runs to teach the estimate.
 * Pure logic: the clock and the scoring are passed in, so tests drive time.
 */
public final class BudgetedRerank {
    /** No budget: every candidate is re-ranked. */
    public static final long UNLIMITED = -1;

    /** Candidates in the batch that measures the cost when it is unknown: small, so a tight budget is hardly overrun. */
    public static final int PROBE_BATCH = 4;

    private final RerankCost cost;
    private final LongSupplier nanoClock;
    private final int batchSize;

    /** Scores candidates {@code [from, to)} of the list being re-ranked. */
    @FunctionalInterface
    public interface BatchScorer {
        /** Scores candidates {@code from} (inclusive) to {@code to} (exclusive). */
        void score(int from, int to);
    }

    /** Re-ranks in batches of {@code batchSize}, timing each on {@code nanoClock} and teaching {@code cost}. */
    public BudgetedRerank(RerankCost cost, LongSupplier nanoClock, int batchSize) {
        this.cost = Objects.requireNonNull(cost, "cost");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        if (batchSize < 1) {
            throw new IllegalArgumentException("re-rank batch size must be positive; was " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /**
     * How many of {@code available} candidates a budget of {@code budgetNanos} ({@link #UNLIMITED}: none) is expected
     * to re-rank: what to fetch frames for. All of them while the cost is unknown.
     */
    public int expected(int available, long budgetNanos) {
        if (budgetNanos == UNLIMITED) {
            return available;
        }
        OptionalDouble perCandidate = cost.nanosPerCandidate();
        if (budgetNanos <= 0) {
            return 0;
        }
        if (perCandidate.isEmpty()) {
            return available;
        }
        return (int) Math.min(available, Math.max(1, (long) Math.floor(budgetNanos / perCandidate.getAsDouble())));
    }

    /**
     * Scores the first candidates of {@code available} with {@code scorer} while they fit in {@code budgetNanos}
     * ({@link #UNLIMITED}: all; 0: none) and returns how many were scored (always a prefix).
     */
    public int run(int available, long budgetNanos, BatchScorer scorer) {
        if (budgetNanos == 0) {
            return 0;
        }
        long start = nanoClock.getAsLong();
        int done = 0;
        while (done < available) {
            int batch = Math.min(batchSize, available - done);
            if (budgetNanos != UNLIMITED) {
                OptionalDouble perCandidate = cost.nanosPerCandidate();
                if (perCandidate.isPresent()) {
                    long left = budgetNanos - (nanoClock.getAsLong() - start);
                    long fits = (long) Math.floor(left / perCandidate.getAsDouble());
                    batch = (int) Math.min(batch, Math.max(0, fits));
                } else if (done > 0) {
                    // Unreachable in practice (the first batch teaches the cost), but never loop blind.
                    break;
                } else {
                    batch = Math.min(batch, PROBE_BATCH);
                }
                if (batch < 1) {
                    break;
                }
            }
            long batchStart = nanoClock.getAsLong();
            scorer.score(done, done + batch);
            cost.record(batch, nanoClock.getAsLong() - batchStart);
            done += batch;
        }
        return done;
    }
}
