package io.clip4stream.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CaptionJoinTest {

    private static final long S = 1_000_000L;

    /** A clip of {@code frames} frames over {@code [start, end)} seconds; frame i's embedding is {@code {tag + i}}. */
    private static CaptionJoin.IndexedClip clip(String source, long start, long end, int frames, float tag) {
        float[][] embeddings = new float[frames][];
        for (int i = 0; i < frames; i++) {
            embeddings[i] = new float[] {tag + i};
        }
        return new CaptionJoin.IndexedClip(source + "-" + start, source, start * S, end * S, embeddings);
    }

    private static CaptionJoin.CaptionRange caption(String id, String source, double start, double end, String text) {
        return new CaptionJoin.CaptionRange(id, source, (long) (start * S), (long) (end * S), text);
    }

    private static float[] firstValues(float[][] frames) {
        float[] out = new float[frames.length];
        for (int i = 0; i < frames.length; i++) {
            out[i] = frames[i][0];
        }
        return out;
    }

    @Test
    void takesTheFramesOfTheCaptionedRangeAcrossClipsInTimeOrder() {
        // Two 4-frame clips of 4 s each: frames at 0,1,2,3 s (100..103) and 4,5,6,7 s (200..203), given out of order.
        var clips = List.of(clip("cam", 4, 8, 4, 200), clip("cam", 0, 4, 4, 100), clip("other", 0, 4, 4, 900));
        var result = CaptionJoin.join(List.of(caption("c1", "cam", 2.5, 5.5, "a red ball rolls")), clips);

        assertEquals(1, result.clips().size());
        CaptionJoin.Joined joined = result.clips().get(0);
        // Slots [2,3), [3,4), [4,5), [5,6) overlap 2.5–5.5 s; the other source's frames never join.
        assertArrayEquals(new float[] {102, 103, 200, 201}, firstValues(joined.frameEmbeddings()));
        assertEquals(List.of("a red ball rolls"), joined.captions());
        assertTrue(result.unmatched().isEmpty());
    }

    @Test
    void groupsCaptionsOfOneRangeIntoOneClip() {
        var clips = List.of(clip("cam", 0, 4, 4, 100));
        var result = CaptionJoin.join(
                List.of(
                        caption("b", "cam", 0, 4, "second"),
                        caption("a", "cam", 0, 4, "first"),
                        caption("c", "cam", 1, 2, "other range")),
                clips);

        assertEquals(2, result.clips().size());
        assertEquals(3, result.captionCount());
        CaptionJoin.Joined whole = result.clips().stream()
                .filter(j -> j.captions().size() == 2)
                .findFirst()
                .orElseThrow();
        assertEquals(List.of("first", "second"), whole.captions());
        assertEquals(4, whole.frameEmbeddings().length);
    }

    @Test
    void reportsCaptionsOnNoIndexedFrame() {
        var clips = List.of(clip("cam", 0, 4, 4, 100));
        var result = CaptionJoin.join(
                List.of(caption("late", "cam", 4, 6, "after the clip"), caption("lost", "gone", 0, 1, "no source")),
                clips);

        assertTrue(result.clips().isEmpty());
        assertEquals(2, result.unmatched().size());
        assertTrue(
                result.unmatched().get(0).contains("4.000-6.000"),
                result.unmatched().get(0));
    }
}
