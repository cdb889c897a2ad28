package io.clip4stream.ingest.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipCutterTest {
    private static List<ClipWindow> cut(ClipCutter cutter, int frames, long firstMicros) {
        List<ClipWindow> clips = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            clips.addAll(cutter.add(firstMicros + i * 1_000_000L, 1_000_000L));
        }
        clips.addAll(cutter.finish(1_000_000L));
        return clips;
    }

    @Test
    void disjointWindowsWithAShorterLastClip() {
        List<ClipWindow> clips = cut(new ClipCutter(4, 4), 10, 0);
        assertEquals(
                List.of(
                        new ClipWindow(0, 0, 4, 0, 4_000_000L, 1),
                        new ClipWindow(1, 4, 4, 4_000_000L, 8_000_000L, 5),
                        new ClipWindow(2, 8, 2, 8_000_000L, 10_000_000L, 8)),
                clips);
    }

    @Test
    void overlappingWindowsCoverEveryFrameOnce() {
        List<ClipWindow> clips = cut(new ClipCutter(4, 2), 7, 0);
        assertEquals(3, clips.size());
        assertEquals(new ClipWindow(0, 0, 4, 0, 4_000_000L, 1), clips.get(0));
        assertEquals(new ClipWindow(1, 2, 4, 2_000_000L, 6_000_000L, 3), clips.get(1));
        assertEquals(new ClipWindow(2, 4, 3, 4_000_000L, 7_000_000L, 5), clips.get(2));
    }

    @Test
    void exactMultipleHasNoTrailingClip() {
        assertEquals(2, cut(new ClipCutter(3, 3), 6, 0).size());
        assertEquals(List.of(), cut(new ClipCutter(3, 3), 0, 0));
    }

    @Test
    void fewerFramesThanAWindowMakeOneShortClip() {
        assertEquals(List.of(new ClipWindow(0, 0, 2, 0, 2_000_000L, 0)), cut(new ClipCutter(12, 12), 2, 0));
    }

    @Test
    void resumedCutterContinuesFrameAndClipIndices() {
        ClipCutter cutter = new ClipCutter(3, 3, 9, 3);
        assertEquals(9, cutter.nextFrameIndex());
        List<ClipWindow> clips = cut(cutter, 3, 20_000_000L);
        assertEquals(List.of(new ClipWindow(3, 9, 3, 20_000_000L, 23_000_000L, 10)), clips);
        assertEquals(ClipWindow.clipId("cam", 9), "cam:9");
    }

    @Test
    void clipIndexOfAFrameIsTheNewestWindowContainingIt() {
        ClipCutter cutter = new ClipCutter(4, 2);
        assertEquals(0, cutter.clipIndexOf(1));
        assertEquals(1, cutter.clipIndexOf(2));
        assertEquals(2, cutter.clipIndexOf(5));
    }

    @Test
    void longRunsKeepConstantState() {
        ClipCutter cutter = new ClipCutter(12, 5);
        long clips = 0;
        for (int i = 0; i < 100_000; i++) {
            clips += cutter.add(i * 1000L, 1000L).size();
        }
        assertEquals((100_000 - 12) / 5 + 1, clips);
    }

    @Test
    void strideLargerThanWindowIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ClipCutter(4, 5));
        assertThrows(IllegalArgumentException.class, () -> new ClipCutter(0, 1));
    }
}
