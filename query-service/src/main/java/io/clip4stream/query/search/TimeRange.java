package io.clip4stream.query.search;

/**
 * A half-open interval {@code [from, to)} of source time in microseconds; a clip matches when it overlaps it (ends
 * after {@code from} and starts before {@code to}), the index-service's semantics. Either end may be open (null).
 *
 * @param fromMicros start of interest, or null for no lower bound
 * @param toMicros end of interest (exclusive), or null for no upper bound
 */
public record TimeRange(Long fromMicros, Long toMicros) {

    /** Rejects empty, negative or inverted ranges. */
    public TimeRange {
        if (fromMicros == null && toMicros == null) {
            throw new InvalidSearchException("invalid_filters", "a time range needs fromMicros, toMicros or both");
        }
        if ((fromMicros != null && fromMicros < 0) || (toMicros != null && toMicros < 0)) {
            throw new InvalidSearchException("invalid_filters", "time range bounds must not be negative");
        }
        if (fromMicros != null && toMicros != null && fromMicros >= toMicros) {
            throw new InvalidSearchException(
                    "invalid_filters",
                    "the time range is empty: fromMicros " + fromMicros + " >= toMicros " + toMicros);
        }
    }
}
