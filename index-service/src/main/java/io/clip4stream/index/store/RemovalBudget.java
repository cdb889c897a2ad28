package io.clip4stream.index.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How much one maintenance pass (source deletions and retention) may do before it yields the stream thread; what is
 * left is done by the next pass.
 *
 * @param maxClips most clips one pass removes
 * @param maxTime most time one pass spends scanning (checked every few hundred documents, so a pass may run a little
 *     past it)
 */
public record RemovalBudget(int maxClips, Duration maxTime) {

    /** No limit: the pass covers the whole index (for callers outside the stream thread, and tests). */
    public static final RemovalBudget UNLIMITED =
            new RemovalBudget(Integer.MAX_VALUE, Duration.ofNanos(Long.MAX_VALUE));

    /** Validates the budget. */
    public RemovalBudget {
        Objects.requireNonNull(maxTime, "maxTime");
        if (maxClips < 1 || maxTime.isNegative() || maxTime.isZero()) {
            throw new IllegalArgumentException(
                    "a removal budget needs at least one clip and a positive time; was " + maxClips + ", " + maxTime);
        }
    }
}
