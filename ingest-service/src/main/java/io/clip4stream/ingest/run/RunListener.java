package io.clip4stream.ingest.run;

/** Observes runs for metrics; every method is cheap and must not throw. */
public interface RunListener {
    /** A listener that ignores everything. */
    RunListener NONE = new RunListener() {};

    /** {@code count} more frames were decoded. */
    default void decoded(long count) {}

    /** A frame was sampled. */
    default void sampled() {}

    /** A run started (+1) or ended (-1). */
    default void active(int delta) {}

    /** A source failed. */
    default void failed() {}

    /** The latest decode rate of a source in frames per second. */
    default void rate(double framesPerSecond) {}
}
