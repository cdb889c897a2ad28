package io.clip4stream.query.rerank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Parts of one re-rank run side by side: the caller runs the first, results come back in order. */
class RerankLanesTest {

    @Test
    void shouldRunTheFirstPartOnTheCallerAndTheOthersAtTheSameTime() throws Exception {
        try (RerankLanes lanes = new RerankLanes("test", 3, 1)) {
            Thread caller = Thread.currentThread();
            // Every part waits for all three to have started: only parts that run at once get past it.
            CountDownLatch started = new CountDownLatch(3);
            List<String> results = lanes.run(3, part -> {
                started.countDown();
                try {
                    assertTrue(started.await(30, TimeUnit.SECONDS), "the parts run side by side");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                boolean onCaller = Thread.currentThread() == caller;
                assertEquals(part == 0, onCaller, "part " + part + " on the caller: " + onCaller);
                return "part-" + part;
            });
            assertEquals(List.of("part-0", "part-1", "part-2"), results);
        }
    }

    @Test
    void shouldRethrowAFailedPartOnlyAfterEveryPartEnded() {
        AtomicInteger ended = new AtomicInteger();
        IllegalStateException failure = new IllegalStateException("part 1 failed");
        try (RerankLanes lanes = new RerankLanes("test", 2, 1)) {
            IllegalStateException thrown = assertThrows(
                    IllegalStateException.class,
                    () -> lanes.run(2, part -> {
                        if (part == 1) {
                            ended.incrementAndGet();
                            throw failure;
                        }
                        sleep(200);
                        ended.incrementAndGet();
                        return part;
                    }));
            assertSame(failure, thrown);
            assertEquals(2, ended.get());
        }
    }

    @Test
    void shouldRunEveryPartOnTheCallerWithOneLane() {
        try (RerankLanes lanes = RerankLanes.single()) {
            Thread caller = Thread.currentThread();
            assertEquals(List.of(true, true, true), lanes.run(3, part -> Thread.currentThread() == caller));
            assertEquals(1, lanes.lanes());
        }
        assertThrows(IllegalArgumentException.class, () -> new RerankLanes("test", 0, 1));
        try (RerankLanes lanes = new RerankLanes("test", 2, 1)) {
            assertThrows(IllegalArgumentException.class, () -> lanes.run(0, part -> part));
            assertNotEquals(
                    Thread.currentThread(),
                    lanes.run(2, part -> Thread.currentThread()).get(1));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
