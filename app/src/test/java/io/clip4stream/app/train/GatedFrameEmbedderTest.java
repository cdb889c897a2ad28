package io.clip4stream.app.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.clip4stream.encoder.StaticSceneGate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The evaluation's gate reuses an embedding only below the threshold and only within one source. */
class GatedFrameEmbedderTest {
    private static final int LENGTH = 4;

    /** A fake encoder: each frame's embedding is its first pixel, and every call is recorded. */
    private final List<Integer> calls = new ArrayList<>();

    private float[][] encode(float[] pixels, int count) {
        calls.add(count);
        float[][] out = new float[count][];
        for (int f = 0; f < count; f++) {
            out[f] = new float[] {pixels[f * LENGTH]};
        }
        return out;
    }

    private static float[] frames(float... firstPixels) {
        float[] pixels = new float[firstPixels.length * LENGTH];
        for (int f = 0; f < firstPixels.length; f++) {
            java.util.Arrays.fill(pixels, f * LENGTH, (f + 1) * LENGTH, firstPixels[f]);
        }
        return pixels;
    }

    @Test
    void shouldReuseOnlyBelowTheThresholdWithinASource() {
        GatedFrameEmbedder gate =
                new GatedFrameEmbedder(new StaticSceneGate.Policy(Set.of(StaticSceneGate.Policy.ALL_SOURCES), 0.05));
        // 0.00 -> 0.01 (reused), 0.02 (0.02 from the reference: reused), 0.50 (encoded), 0.52 (reused).
        float[][] a = gate.embed("a", frames(0f, 0.01f, 0.02f, 0.5f, 0.52f), 5, LENGTH, this::encode);
        assertEquals(List.of(2), calls, "one call with the two frames to encode");
        assertArrayEquals(new float[] {0f}, a[1]);
        assertSame(a[0], a[2], "the reference's own embedding");
        assertArrayEquals(new float[] {0.5f}, a[3]);
        assertSame(a[3], a[4]);
        assertEquals(5, gate.frames());
        assertEquals(3, gate.reused());

        // Another source showing the very same picture: its first frame is encoded, never taken from "a".
        float[][] b = gate.embed("b", frames(0.52f, 0.52f), 2, LENGTH, this::encode);
        assertEquals(List.of(2, 1), calls);
        assertNotSame(a[4], b[0]);
        assertSame(b[0], b[1]);
        assertEquals(4, gate.reused());
    }

    @Test
    void shouldEncodeEveryFrameThatMovesMoreThanTheThreshold() {
        GatedFrameEmbedder gate =
                new GatedFrameEmbedder(new StaticSceneGate.Policy(Set.of(StaticSceneGate.Policy.ALL_SOURCES), 0.001));
        gate.embed("a", frames(0f, 0.01f, 0.02f), 3, LENGTH, this::encode);
        assertEquals(List.of(3), calls);
        assertEquals(0, gate.reused());
    }
}
