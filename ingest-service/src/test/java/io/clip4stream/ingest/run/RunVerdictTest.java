package io.clip4stream.ingest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.ingest.run.RunVerdict.Action;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** Which run endings give a request up (commit) and which run it again. */
class RunVerdictTest {

    private static SourceRun.Result result(SourceRun.Outcome outcome, String reason) {
        return new SourceRun.Result(outcome, reason, 4, 2);
    }

    @Test
    void endsTheSourceDecidedCommitEverythingElseRunsAgain() {
        Map<SourceRun.Outcome, Action> expected = new EnumMap<>(SourceRun.Outcome.class);
        expected.put(SourceRun.Outcome.COMPLETED, Action.COMMIT);
        expected.put(SourceRun.Outcome.TRUNCATED, Action.COMMIT);
        expected.put(SourceRun.Outcome.FAILED, Action.COMMIT);
        expected.put(SourceRun.Outcome.DELETED, Action.COMMIT);
        expected.put(SourceRun.Outcome.ALREADY_DONE, Action.COMMIT);
        expected.put(SourceRun.Outcome.INTERRUPTED, Action.RETRY);
        expected.put(SourceRun.Outcome.FENCED, Action.YIELD);
        expected.put(SourceRun.Outcome.STOPPED, Action.YIELD);
        // Every outcome is listed, so a new one cannot slip through unclassified.
        assertEquals(SourceRun.Outcome.values().length, expected.size());
        expected.forEach((outcome, action) ->
                assertEquals(action, RunVerdict.of(result(outcome, "why"), null).action(), outcome.name()));
    }

    @Test
    void theReasonTravelsWithTheVerdict() {
        RunVerdict corrupt = RunVerdict.of(result(SourceRun.Outcome.FAILED, "not a video"), null);
        assertEquals(new RunVerdict(Action.COMMIT, "not a video"), corrupt);
        RunVerdict interrupted =
                RunVerdict.of(result(SourceRun.Outcome.INTERRUPTED, "Cannot commit a transaction: timed out"), null);
        assertEquals(new RunVerdict(Action.RETRY, "Cannot commit a transaction: timed out"), interrupted);
        assertEquals(
                null,
                RunVerdict.of(result(SourceRun.Outcome.COMPLETED, null), null).reason());
    }

    @Test
    void aThrownSinkFailureIsRetriedAndAFencingYields() {
        RuntimeException kafkaDown = new IllegalStateException("broker unavailable");
        RunVerdict sink = RunVerdict.of(
                null, new CompletionException(new SinkFailedException("vid", "send to frames", kafkaDown)));
        assertEquals(Action.RETRY, sink.action());
        assertTrue(sink.reason().contains("broker unavailable"), sink.reason());
        RunVerdict fenced = RunVerdict.of(null, new SourceFencedException("vid", kafkaDown));
        assertEquals(Action.YIELD, fenced.action());
    }

    @Test
    void aCrashIsGivenUpRatherThanBlockingThePartitionForever() {
        RunVerdict crash = RunVerdict.of(null, new CompletionException(new NullPointerException("bug")));
        assertEquals(Action.COMMIT, crash.action());
        assertTrue(crash.reason().contains("NullPointerException"), crash.reason());
        assertEquals(Action.COMMIT, RunVerdict.of(null, new OutOfMemoryError()).action());
    }

    @Test
    void backoffDoublesUpToItsBound() {
        RetryBackoff backoff = new RetryBackoff(Duration.ofMillis(500), Duration.ofSeconds(3));
        assertEquals(Duration.ofMillis(500), backoff.delay(1));
        assertEquals(Duration.ofMillis(1000), backoff.delay(2));
        assertEquals(Duration.ofMillis(2000), backoff.delay(3));
        assertEquals(Duration.ofSeconds(3), backoff.delay(4));
        assertEquals(Duration.ofSeconds(3), backoff.delay(1_000_000));
        assertThrows(IllegalArgumentException.class, () -> backoff.delay(0));
        assertThrows(IllegalArgumentException.class, () -> new RetryBackoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(
                IllegalArgumentException.class, () -> new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
