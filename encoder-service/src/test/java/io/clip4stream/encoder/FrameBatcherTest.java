package io.clip4stream.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.encoder.FrameBatcher.Batch;
import io.clip4stream.encoder.FrameBatcher.Entry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FrameBatcherTest {

    private static final long MS = 1_000_000L;

    private static List<String> items(Batch<String, String> batch) {
        return batch.entries().stream().map(Entry::item).toList();
    }

    @Test
    void waitsForMaxWaitWhileTheBatchIsNotFull() {
        FrameBatcher<String, String> batcher = new FrameBatcher<>(4, Duration.ofMillis(50), 8);
        assertEquals(Long.MAX_VALUE, batcher.nanosUntilReady(0));
        assertTrue(batcher.next(0).isEmpty());

        batcher.add("a", "a0", true, 10 * MS);
        batcher.add("b", "b0", true, 30 * MS);
        assertEquals(40 * MS, batcher.nanosUntilReady(20 * MS), "the oldest record sets the deadline");
        assertTrue(batcher.next(59 * MS).isEmpty());

        Batch<String, String> batch = batcher.next(60 * MS).orElseThrow();
        assertEquals(List.of("a0", "b0"), items(batch));
        assertEquals(2, batch.frames());
        assertEquals(0, batcher.pendingRecords());
    }

    @Test
    void cutsAtMaxBatchFramesInArrivalOrderAndKeepsBoundariesWithTheirLastFrame() {
        FrameBatcher<String, String> batcher = new FrameBatcher<>(3, Duration.ofSeconds(10), 8);
        batcher.add("a", "a0", true, 0);
        batcher.add("b", "b0", true, 0);
        batcher.add("a", "a-boundary", false, 0);
        batcher.add("a", "a1", true, 0);
        batcher.add("a", "a-boundary2", false, 0);
        batcher.add("b", "b-end", false, 0);
        batcher.add("b", "b1", true, 0);
        batcher.add("a", "a-end", false, 0);
        assertTrue(batcher.ready(0), "3 frames pending");

        Batch<String, String> first = batcher.next(0).orElseThrow();
        assertEquals(List.of("a0", "b0", "a-boundary", "a1", "a-boundary2", "b-end"), items(first));
        assertEquals(3, first.frames());
        assertEquals(1, batcher.pendingFrames());
        assertFalse(batcher.ready(0), "one frame left, max wait not reached");

        Batch<String, String> second =
                batcher.next(Duration.ofSeconds(10).toNanos()).orElseThrow();
        assertEquals(List.of("b1", "a-end"), items(second));
    }

    @Test
    void nonFrameRecordsDoNotCountTowardsTheBatchSize() {
        FrameBatcher<String, String> batcher = new FrameBatcher<>(2, Duration.ofSeconds(1), 2);
        for (int i = 0; i < 5; i++) {
            batcher.add("a", "boundary" + i, false, 0);
        }
        batcher.add("a", "f0", true, 0);
        assertFalse(batcher.ready(0));
        assertFalse(batcher.full());
        batcher.add("a", "f1", true, 0);
        assertTrue(batcher.ready(0));
        assertTrue(batcher.full());
        assertEquals(7, batcher.next(0).orElseThrow().entries().size());
        assertFalse(batcher.full());
    }

    @Test
    void batchesConcatenateToTheInputAndNeverExceedTheMaximum() {
        SplittableRandom random = new SplittableRandom(7);
        FrameBatcher<Integer, String> batcher = new FrameBatcher<>(5, Duration.ofMillis(3), 20);
        List<String> input = new ArrayList<>();
        List<String> output = new ArrayList<>();
        long now = 0;
        for (int i = 0; i < 2_000; i++) {
            now += random.nextInt(2) * MS;
            int lane = random.nextInt(4);
            boolean frame = random.nextInt(4) != 0;
            String item = lane + ":" + i + (frame ? "f" : "c");
            input.add(item);
            batcher.add(lane, item, frame, now);
            Optional<Batch<Integer, String>> batch;
            while ((batch = batcher.next(now)).isPresent()) {
                long frames =
                        batch.get().entries().stream().filter(Entry::frame).count();
                assertEquals(frames, batch.get().frames());
                assertTrue(frames <= 5, "batch of " + frames + " frames");
                batch.get().entries().forEach(e -> output.add(e.item()));
            }
        }
        batcher.next(now + Duration.ofMillis(3).toNanos())
                .ifPresent(b -> b.entries().forEach(e -> output.add(e.item())));
        assertEquals(input, output);
    }

    @Test
    void droppingLanesForgetsOnlyTheirRecords() {
        FrameBatcher<String, String> batcher = new FrameBatcher<>(2, Duration.ofSeconds(1), 3);
        batcher.add("a", "a0", true, 0);
        batcher.add("b", "b0", true, 0);
        batcher.add("b", "b-boundary", false, 0);
        batcher.add("a", "a1", true, 0);
        assertTrue(batcher.full());

        assertEquals(2, batcher.dropLanes(List.of("b")));
        assertEquals(2, batcher.pendingFrames());
        assertFalse(batcher.full());
        assertEquals(List.of("a0", "a1"), items(batcher.next(0).orElseThrow()));

        batcher.add("c", "c0", true, 0);
        batcher.clear();
        assertEquals(0, batcher.pendingRecords());
        assertEquals(0, batcher.pendingFrames());
    }

    @Test
    void rejectsInconsistentLimits() {
        assertThrows(IllegalArgumentException.class, () -> new FrameBatcher<>(0, Duration.ZERO, 1));
        assertThrows(IllegalArgumentException.class, () -> new FrameBatcher<>(4, Duration.ZERO, 3));
        assertThrows(IllegalArgumentException.class, () -> new FrameBatcher<>(4, Duration.ofMillis(-1), 4));
    }
}
