package io.clip4stream.runtime.lifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes the parts of a process in order within one time budget, so that SIGTERM or Ctrl-C ends it in bounded time
 * whatever a part does (a live stream stalled in a native read, a slow webhook, a broker that does not answer).
 *
 * <p>Each part closes on a daemon thread of its own and may use what is left of the budget less a reserve kept for
 * each part after it; a part that overruns is abandoned (its thread dies with the JVM) and the next one starts. That is
 * safe because every service commits through Kafka transactions and resumes from its last commit: what an abandoned
 * part had not committed is aborted by the broker and done again on the next start.
 *
 * @param budget the time all parts together may take
 */
public record BoundedShutdown(Duration budget) {
    /** The budget of a stop request: the promise is that a service stops within 10 s, JVM exit included. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(8);

    private static final Logger LOG = LoggerFactory.getLogger(BoundedShutdown.class);

    /**
     * One part to close.
     *
     * @param name what it is, for the report
     * @param closeable how to close it
     */
    public record Part(String name, AutoCloseable closeable) {
        /** Validates the part. */
        public Part {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(closeable, "closeable");
        }
    }

    /** How closing one part went. */
    public enum State {
        /** It closed within its time. */
        CLOSED,
        /** Its close threw. */
        FAILED,
        /** It did not finish within its time and was left behind. */
        ABANDONED
    }

    /**
     * One part's outcome.
     *
     * @param name the part
     * @param state how it went
     * @param took how long it had run when it finished or was abandoned
     * @param failure what its close threw, or null
     */
    public record Outcome(String name, State state, Duration took, Throwable failure) {}

    /**
     * Every part's outcome and the total time.
     *
     * @param outcomes per part, in closing order
     * @param took the total time
     */
    public record Report(List<Outcome> outcomes, Duration took) {
        /** Copies the list. */
        public Report {
            outcomes = List.copyOf(outcomes);
        }

        /** Whether every part closed (none failed or was abandoned). */
        public boolean complete() {
            return outcomes.stream().allMatch(o -> o.state() == State.CLOSED);
        }

        /** One line: the total time and each part's state and time. */
        public String summary() {
            return "stopped in " + took.toMillis() + " ms: "
                    + outcomes.stream()
                            .map(o -> o.name() + " " + o.state().name().toLowerCase(java.util.Locale.ROOT) + " "
                                    + o.took().toMillis() + " ms")
                            .collect(Collectors.joining(", "));
        }
    }

    /** Validates the budget. */
    public BoundedShutdown {
        Objects.requireNonNull(budget, "budget");
        if (budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("a shutdown budget must be positive, was " + budget);
        }
    }

    /** A shutdown with the {@link #DEFAULT_BUDGET}. */
    public static BoundedShutdown withDefaultBudget() {
        return new BoundedShutdown(DEFAULT_BUDGET);
    }

    /** Closes {@code parts} in order within the budget, logs the report's summary and returns the report. */
    public Report close(List<Part> parts) {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        // What every later part is guaranteed, so that one stuck part cannot leave the broker no time at all.
        long reserve = budget.toNanos() / (2L * Math.max(1, parts.size()));
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            Part part = parts.get(i);
            long partStart = System.nanoTime();
            long allowance = Math.max(reserve, deadline - partStart - reserve * (parts.size() - 1 - i));
            CompletableFuture<Void> closed = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("close-" + part.name()).start(() -> {
                try {
                    part.closeable().close();
                    closed.complete(null);
                } catch (Throwable e) {
                    closed.completeExceptionally(e);
                }
            });
            State state;
            Throwable failure = null;
            try {
                closed.get(allowance, TimeUnit.NANOSECONDS);
                state = State.CLOSED;
            } catch (ExecutionException e) {
                state = State.FAILED;
                failure = e.getCause();
            } catch (TimeoutException e) {
                state = State.ABANDONED;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                state = State.ABANDONED;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - partStart);
            outcomes.add(new Outcome(part.name(), state, took, failure));
            if (state == State.FAILED) {
                LOG.warn("{} did not close cleanly", part.name(), failure);
            } else if (state == State.ABANDONED) {
                LOG.warn(
                        "{} did not close within {} ms; left behind (what it had not committed is redone on the next"
                                + " start)",
                        part.name(),
                        took.toMillis());
            }
        }
        Report report = new Report(outcomes, Duration.ofNanos(System.nanoTime() - start));
        LOG.info("{}", report.summary());
        return report;
    }
}
