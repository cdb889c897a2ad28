package io.clip4stream.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ExpectedClipsTest {
    @Test
    void shouldSampleUpToTheLastFramesTimeAndCloseAShorterLastClip() {
        // 80 frames at 10 fps end at 7.9 s: 4 fps samples t = 0 .. 7.75 s, 32 frames, clips of 12, 12 and 8.
        assertEquals(3, ExpectedClips.of(80, 10, 4, 12));
        // 190 frames end at 18.9 s: 76 samples, 6 full clips and one of 4.
        assertEquals(7, ExpectedClips.of(190, 10, 4, 12));
    }

    @Test
    void shouldGiveOneClipForOneFrame() {
        assertEquals(1, ExpectedClips.of(1, 25, 4, 12));
    }

    @Test
    void shouldCloseNoEmptyClipWhenSamplesFillTheLastWindow() {
        // 30 frames end at 2.9 s: 4 fps samples t = 0 .. 2.75 s, 12 frames, one full clip.
        assertEquals(1, ExpectedClips.of(30, 10, 4, 12));
        assertEquals(2, ExpectedClips.of(31, 10, 4, 12));
    }

    @Test
    void shouldRefuseNonPositiveInputs() {
        assertThrows(IllegalArgumentException.class, () -> ExpectedClips.of(0, 10, 4, 12));
        assertThrows(IllegalArgumentException.class, () -> ExpectedClips.of(10, 10, 4, 0));
    }
}
