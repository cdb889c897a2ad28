package io.clip4stream.ingest.run;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounded exponential backoff: the first retry waits {@code initial}, each further one twice as long, never more than
 * {@code max}.
 *
 * @param initial wait before the first retry
 * @param max longest wait
 */
public record RetryBackoff(Duration initial, Duration max) {

    /** Checks that {@code 0 < initial <= max}. */
    public RetryBackoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "Backoff needs 0 < initial <= max; was initial " + initial + ", max " + max);
        }
    }

    /** The wait before retry number {@code attempt} (1 for the first retry). */
    public Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt counts from 1; was " + attempt);
        }
        // Doubling past 2^30 of any positive initial is beyond every sane max; stop before long overflow.
        int doublings = Math.min(attempt - 1, 30);
        Duration delay = initial.multipliedBy(1L << doublings);
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
