package io.clip4stream.ingest.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.clip4stream.model.preprocess.RgbImage;
import org.junit.jupiter.api.Test;

/** Turning decoded pictures upright from FFmpeg's display rotation. */
class FrameRotationTest {

    @Test
    void readsFfmpegsCounterclockwiseDegreesToTheNearestQuarterTurn() {
        assertEquals(FrameRotation.NONE, FrameRotation.ofDisplayDegrees(0));
        assertEquals(FrameRotation.COUNTERCLOCKWISE, FrameRotation.ofDisplayDegrees(90));
        assertEquals(FrameRotation.COUNTERCLOCKWISE, FrameRotation.ofDisplayDegrees(89.6));
        assertEquals(FrameRotation.CLOCKWISE, FrameRotation.ofDisplayDegrees(-90));
        assertEquals(FrameRotation.CLOCKWISE, FrameRotation.ofDisplayDegrees(270));
        assertEquals(FrameRotation.HALF_TURN, FrameRotation.ofDisplayDegrees(180));
        assertEquals(FrameRotation.HALF_TURN, FrameRotation.ofDisplayDegrees(-180));
        assertEquals(FrameRotation.NONE, FrameRotation.ofDisplayDegrees(360));
        assertEquals(FrameRotation.NONE, FrameRotation.ofDisplayDegrees(45), "not a quarter turn: left as decoded");
        assertEquals(FrameRotation.NONE, FrameRotation.ofDisplayDegrees(Double.NaN));
    }

    @Test
    void turnsEveryPixelWhereAViewerSeesIt() {
        // 3 × 2, pixel value = its index:   0 1 2
        //                                  3 4 5
        RgbImage image = grey(3, 2, 0, 1, 2, 3, 4, 5);

        // A quarter counterclockwise: the right column becomes the top row.
        assertEquals(grey(2, 3, 2, 5, 1, 4, 0, 3), FrameRotation.COUNTERCLOCKWISE.apply(image));
        // A quarter clockwise: the left column, read upwards, becomes the top row.
        assertEquals(grey(2, 3, 3, 0, 4, 1, 5, 2), FrameRotation.CLOCKWISE.apply(image));
        assertEquals(grey(3, 2, 5, 4, 3, 2, 1, 0), FrameRotation.HALF_TURN.apply(image));
        assertEquals(image, FrameRotation.NONE.apply(image));
    }

    @Test
    void turnsComposeAsQuarterTurnsDo() {
        RgbImage image = grey(4, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        RgbImage clockwise = FrameRotation.CLOCKWISE.apply(image);

        assertEquals(image, FrameRotation.COUNTERCLOCKWISE.apply(clockwise));
        assertEquals(FrameRotation.HALF_TURN.apply(image), FrameRotation.CLOCKWISE.apply(clockwise));
        assertEquals(3, clockwise.width());
        assertEquals(4, clockwise.height());
    }

    @Test
    void nothingTurnedIsNotCopied() {
        byte[] rgb = new byte[3 * 2 * 3];
        assertSame(rgb, FrameRotation.NONE.apply(rgb, 3, 2));
        assertArrayEquals(new byte[] {1, 2, 3}, FrameRotation.CLOCKWISE.apply(new byte[] {1, 2, 3}, 1, 1));
    }

    /** A grey image whose pixels (row by row) have the given levels in all three channels. */
    private static RgbImage grey(int width, int height, int... levels) {
        byte[] rgb = new byte[width * height * 3];
        for (int i = 0; i < levels.length; i++) {
            rgb[3 * i] = (byte) levels[i];
            rgb[3 * i + 1] = (byte) levels[i];
            rgb[3 * i + 2] = (byte) levels[i];
        }
        return new RgbImage(width, height, rgb);
    }
}
