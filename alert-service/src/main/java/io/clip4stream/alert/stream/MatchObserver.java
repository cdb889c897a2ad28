package io.clip4stream.alert.stream;

/** Sees every scored clip (the service's metrics, the bench); called on stream threads. */
@FunctionalInterface
public interface MatchObserver {

    /** A clip was scored against {@code queries} standing queries in {@code nanos}, with {@code matches} matches. */
    void clipScored(int queries, int matches, long nanos);

    /** An observer that ignores everything. */
    static MatchObserver none() {
        return (queries, matches, nanos) -> {};
    }
}
