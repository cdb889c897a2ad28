package io.clip4stream.query.rerank;

import java.util.OptionalDouble;

/**
 * The running cost of re-ranking one candidate (nanoseconds), learnt from the batches re-ranked so far: an
 * exponentially weighted average, so the estimate follows the machine's load without one slow batch ruling it.
 * Shared by every search of a service; thread-safe.
 */
public final class RerankCost {
    /** Weight of the newest batch in the average: about the last ten batches count. */
    public static final double NEWEST_WEIGHT = 0.1;

    private double nanosPerCandidate = Double.NaN;

    /** An estimator that knows nothing yet. */
    public RerankCost() {}

    /** An estimator that starts from {@code nanosPerCandidate} (tests, or a cost measured elsewhere). */
    public RerankCost(double nanosPerCandidate) {
        if (!(nanosPerCandidate > 0)) {
            throw new IllegalArgumentException("a re-rank cost must be positive; was " + nanosPerCandidate);
        }
        this.nanosPerCandidate = nanosPerCandidate;
    }

    /** The estimated nanoseconds per candidate; empty until a batch was measured. */
    public synchronized OptionalDouble nanosPerCandidate() {
        return Double.isNaN(nanosPerCandidate) ? OptionalDouble.empty() : OptionalDouble.of(nanosPerCandidate);
    }

    /** Records that re-ranking {@code candidates} candidates took {@code nanos}. */
    public synchronized void record(int candidates, long nanos) {
        if (candidates < 1) {
            return;
        }
        double perCandidate = Math.max(1.0, (double) nanos / candidates);
        nanosPerCandidate = Double.isNaN(nanosPerCandidate)
                ? perCandidate
                : (1 - NEWEST_WEIGHT) * nanosPerCandidate + NEWEST_WEIGHT * perCandidate;
    }
}
