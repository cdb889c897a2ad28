package io.clip4stream.ingest.run;

import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What becomes of a file request once its run ended: committed when the source itself decided the end (done, bad
 * input, deleted), or left uncommitted and run again when the run was cut short by something outside the source.
 *
 * @param action what the request worker does with the request
 * @param reason why, in words for the log and the next run's status; null for a clean end
 */
public record RunVerdict(Action action, String reason) {

    /** What the request worker does with the request. */
    public enum Action {
        /** The request is finished (done, refused, corrupt input, deleted): commit its offset. */
        COMMIT,
        /**
         * The run failed for an infrastructure reason (Kafka unavailable, a transaction aborted): do not commit, run the
         * request again after a backoff; the new run resumes after the last committed clip.
         */
        RETRY,
        /**
         * Another run took the source over (its producer fenced ours) or the run was stopped: do not commit, look at the
         * request again after a backoff; by then the source is DONE (and the request is committed) or this instance
         * takes it back, so the request is never left behind while this instance owns its partition.
         */
        YIELD
    }

    /** Checks the fields. */
    public RunVerdict {
        Objects.requireNonNull(action, "action");
    }

    /** The verdict on a run that returned {@code result}, or that threw {@code failure} (then result is null). */
    public static RunVerdict of(SourceRun.Result result, Throwable failure) {
        if (failure != null) {
            Throwable cause = unwrap(failure);
            return switch (cause) {
                case SinkFailedException e -> new RunVerdict(Action.RETRY, e.getMessage());
                case SourceFencedException e -> new RunVerdict(Action.YIELD, e.getMessage());
                // A bug or an exhausted JVM: running it again would fail the same way and block every later request
                // of the partition, so it is given up (and logged) as before.
                default -> new RunVerdict(Action.COMMIT, "the run crashed: " + cause);
            };
        }
        Objects.requireNonNull(result, "result or failure");
        return switch (result.outcome()) {
            case COMPLETED, ALREADY_DONE, DELETED -> new RunVerdict(Action.COMMIT, null);
            case TRUNCATED, FAILED -> new RunVerdict(Action.COMMIT, result.reason());
            case INTERRUPTED -> new RunVerdict(Action.RETRY, result.reason());
            case FENCED -> new RunVerdict(Action.YIELD, "another run took the source over");
            case STOPPED -> new RunVerdict(Action.YIELD, "the run was stopped before the source ended");
        };
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
