package io.clip4stream.ingest.run;

/**
 * The sink could not write for a reason outside the source (broker unavailable, transaction timed out or aborted):
 * what was not committed is dropped, and a later run of the same source resumes after the last commit.
 */
public final class SinkFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The failure of {@code action} on {@code sourceId}'s sink, with the error that reported it. */
    public SinkFailedException(String sourceId, String action, Throwable cause) {
        super("Cannot " + action + " for source " + sourceId + ": " + cause.getMessage(), cause);
    }
}
