package io.clip4stream.runtime.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BoundedShutdownTest {
    private final List<String> closed = new CopyOnWriteArrayList<>();

    private BoundedShutdown.Part part(String name) {
        return new BoundedShutdown.Part(name, () -> closed.add(name));
    }

    @Test
    void closesEveryPartInOrder() {
        BoundedShutdown.Report report = new BoundedShutdown(Duration.ofSeconds(30))
                .close(List.of(part("query"), part("ingest"), part("broker")));
        assertEquals(List.of("query", "ingest", "broker"), closed);
        assertTrue(report.complete(), report.summary());
        assertTrue(report.summary().startsWith("stopped in "), report.summary());
        assertTrue(report.summary().contains("ingest closed"), report.summary());
    }

    @Test
    void abandonsAPartThatNeverFinishesAndStillClosesTheOnesAfterIt() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        BoundedShutdown.Part stuck = new BoundedShutdown.Part("ingest", () -> {
            closed.add("ingest started");
            never.await(); // a live stream stalled in a native read
        });
        try {
            BoundedShutdown.Report report = new BoundedShutdown(Duration.ofMillis(600))
                    .close(List.of(part("query"), stuck, part("encoder"), part("broker")));

            assertEquals(List.of("query", "ingest started", "encoder", "broker"), closed);
            assertFalse(report.complete());
            assertEquals(
                    List.of(
                            BoundedShutdown.State.CLOSED,
                            BoundedShutdown.State.ABANDONED,
                            BoundedShutdown.State.CLOSED,
                            BoundedShutdown.State.CLOSED),
                    report.outcomes().stream()
                            .map(BoundedShutdown.Outcome::state)
                            .toList());
            assertTrue(report.summary().contains("ingest abandoned"), report.summary());
        } finally {
            never.countDown();
        }
    }

    @Test
    void reportsAPartWhoseCloseThrowsAndGoesOn() {
        IllegalStateException boom = new IllegalStateException("producer fenced");
        BoundedShutdown.Report report = new BoundedShutdown(Duration.ofSeconds(30))
                .close(List.of(
                        new BoundedShutdown.Part("encoder", () -> {
                            throw boom;
                        }),
                        part("broker")));
        assertEquals(BoundedShutdown.State.FAILED, report.outcomes().get(0).state());
        assertSame(boom, report.outcomes().get(0).failure());
        assertEquals(List.of("broker"), closed);
    }

    @Test
    void refusesANonPositiveBudget() {
        assertThrows(IllegalArgumentException.class, () -> new BoundedShutdown(Duration.ZERO));
    }
}
