package io.clip4stream.ingest.run;

/** Another instance took this source over (its producer fenced ours); the run must stop without writing. */
public final class SourceFencedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The fencing, with the Kafka error that reported it. */
    public SourceFencedException(String sourceId, Throwable cause) {
        super("Source " + sourceId + " was taken over by another ingest instance", cause);
    }
}
