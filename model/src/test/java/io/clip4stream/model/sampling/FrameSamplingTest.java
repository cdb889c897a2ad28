package io.clip4stream.model.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FrameSamplingTest {

    @Test
    void shouldSpreadUniformSelectionsAsTheSpecExamples() {
        FrameSelection selection = new FrameSelection(12, SlicePosition.UNIFORM);
        assertArrayEquals(new int[] {0, 1, 3, 5, 6, 8, 10, 12, 13, 15, 17, 19}, selection.keptPositions(20));
        assertArrayEquals(new int[] {0, 2, 5, 8, 10, 13, 16, 19, 21, 24, 27, 30}, selection.keptPositions(31));
        assertArrayEquals(new int[] {0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 14}, selection.keptPositions(15));
        assertArrayEquals(new int[] {0}, new FrameSelection(1, SlicePosition.UNIFORM).keptPositions(9));
    }

    @Test
    void shouldKeepHeadOrTailAndMaskFilledSlots() {
        assertArrayEquals(new int[] {0, 1, 2}, new FrameSelection(3, SlicePosition.HEAD).keptPositions(10));
        assertArrayEquals(new int[] {7, 8, 9}, new FrameSelection(3, SlicePosition.TAIL).keptPositions(10));
        assertArrayEquals(new int[] {0, 1}, new FrameSelection(3, SlicePosition.TAIL).keptPositions(2));
        assertArrayEquals(new int[] {1, 1, 0}, new FrameSelection(3, SlicePosition.UNIFORM).videoMask(2));
        assertArrayEquals(new int[] {0, 0, 0}, new FrameSelection(3, SlicePosition.UNIFORM).videoMask(0));
        assertArrayEquals(new int[] {1, 1, 1}, new FrameSelection(3, SlicePosition.UNIFORM).videoMask(50));
    }

    @Test
    void shouldSampleSeveralFramesPerSecondOrAll() {
        // fps 10, 2 per second: interval 5, offsets 0 and 5; 25 frames last 3 seconds, seconds 0..3 planned.
        assertArrayEquals(
                new long[] {0, 5, 10, 15, 20, 25, 30, 35},
                new FrameSchedule(2).positions(25, 10.0).toArray());
        assertArrayEquals(
                new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8},
                new FrameSchedule(0).positions(5, 3.9).toArray());
    }

    @Test
    void shouldRejectWhatTheOriginalCannotSample() {
        FrameSchedule schedule = new FrameSchedule(1);
        assertThrows(IllegalArgumentException.class, () -> schedule.positions(100, 0.5));
        assertThrows(IllegalArgumentException.class, () -> schedule.positions(100, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> schedule.positions(-1, 30));
        assertThrows(IllegalArgumentException.class, () -> schedule.positions(100, 30, 5, 5));
        assertThrows(IllegalArgumentException.class, () -> schedule.positions(100, 30, -1, 5));
        assertThrows(IllegalArgumentException.class, () -> new FrameSchedule(3).positions(100, 2.0));
        assertThrows(IllegalArgumentException.class, () -> new FrameSchedule(-1));
        assertThrows(IllegalArgumentException.class, () -> new FrameSelection(0, SlicePosition.UNIFORM));
        assertThrows(IllegalArgumentException.class, () -> SlicePosition.fromFlag(3));
        assertThrows(IllegalArgumentException.class, () -> new FrameSelection(4, SlicePosition.HEAD).keptPositions(-1));
    }

    @Test
    void shouldPlanLazilyForAbsurdFrameCounts() {
        assertArrayEquals(
                new long[] {0, 30, 60},
                new FrameSchedule(1).positions(Long.MAX_VALUE / 64, 30).limit(3).toArray());
    }
}
