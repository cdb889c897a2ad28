package io.clip4stream.model.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Turning stored pictures upright from an EXIF orientation or a video's display rotation. */
class OrientationTest {
    // 3 × 2, pixel value = its index:   0 1 2
    //                                  3 4 5
    private static final RgbImage IMAGE = grey(3, 2, 0, 1, 2, 3, 4, 5);

    @Test
    void readsADisplayMatrixAsTheFfmpegCommandTurnsAndFlips() {
        // The matrices ffprobe prints for portrait phone video (rotation -90) and its opposite (rotation 90).
        int[] phone = matrix(0, ONE, -ONE, 0);
        assertEquals(Orientation.CLOCKWISE, Orientation.ofDisplayMatrix(phone));
        assertEquals(Orientation.COUNTERCLOCKWISE, Orientation.ofDisplayMatrix(matrix(0, -ONE, ONE, 0)));
        assertEquals(Orientation.UPSIDE_DOWN, Orientation.ofDisplayMatrix(matrix(-ONE, 0, 0, -ONE)));
        assertEquals(Orientation.UPRIGHT, Orientation.ofDisplayMatrix(matrix(ONE, 0, 0, ONE)));
        // Mirrored matrices (av_display_matrix_flip negates the first column for hflip, the second for vflip):
        // ffmpeg's autorotate picks transpose=cclock_flip / clock_flip, hflip, vflip.
        assertEquals(Orientation.MIRRORED, Orientation.ofDisplayMatrix(matrix(-ONE, 0, 0, ONE)));
        assertEquals(Orientation.MIRRORED_UPSIDE_DOWN, Orientation.ofDisplayMatrix(matrix(ONE, 0, 0, -ONE)));
        assertEquals(Orientation.TRANSPOSED, Orientation.ofDisplayMatrix(matrix(0, ONE, ONE, 0)));
        assertEquals(Orientation.TRANSVERSE, Orientation.ofDisplayMatrix(matrix(0, -ONE, -ONE, 0)));
        // Scaled matrices turn the same way.
        assertEquals(Orientation.CLOCKWISE, Orientation.ofDisplayMatrix(matrix(0, 2 * ONE, -2 * ONE, 0)));
    }

    @Test
    void noMatrixADegenerateOneOrAnAngleOffTheQuarterTurnsIsUpright() {
        assertEquals(Orientation.UPRIGHT, Orientation.ofDisplayMatrix(null));
        assertEquals(Orientation.UPRIGHT, Orientation.ofDisplayMatrix(new int[4]));
        assertEquals(Orientation.UPRIGHT, Orientation.ofDisplayMatrix(new int[9]));
        int step = (int) Math.round(ONE * Math.sqrt(0.5)); // 45 degrees
        assertEquals(Orientation.UPRIGHT, Orientation.ofDisplayMatrix(matrix(step, step, -step, step)));
    }

    @Test
    void readsEveryExifValueAndTakesAnythingElseAsUpright() {
        for (Orientation orientation : Orientation.values()) {
            assertSame(orientation, Orientation.ofExif(orientation.exif()));
        }
        assertEquals(Orientation.UPRIGHT, Orientation.ofExif(0));
        assertEquals(Orientation.UPRIGHT, Orientation.ofExif(9));
    }

    @Test
    void putsEveryPixelWhereAViewerSeesIt() {
        assertSame(IMAGE, Orientation.UPRIGHT.apply(IMAGE));
        assertEquals(grey(3, 2, 2, 1, 0, 5, 4, 3), Orientation.MIRRORED.apply(IMAGE));
        assertEquals(grey(3, 2, 5, 4, 3, 2, 1, 0), Orientation.UPSIDE_DOWN.apply(IMAGE));
        assertEquals(grey(3, 2, 3, 4, 5, 0, 1, 2), Orientation.MIRRORED_UPSIDE_DOWN.apply(IMAGE));
        // Stored rows become shown columns.
        assertEquals(grey(2, 3, 0, 3, 1, 4, 2, 5), Orientation.TRANSPOSED.apply(IMAGE));
        // A quarter clockwise: the left column, read upwards, becomes the top row.
        assertEquals(grey(2, 3, 3, 0, 4, 1, 5, 2), Orientation.CLOCKWISE.apply(IMAGE));
        assertEquals(grey(2, 3, 5, 2, 4, 1, 3, 0), Orientation.TRANSVERSE.apply(IMAGE));
        // A quarter counterclockwise: the right column becomes the top row.
        assertEquals(grey(2, 3, 2, 5, 1, 4, 0, 3), Orientation.COUNTERCLOCKWISE.apply(IMAGE));
    }

    @Test
    void turnsComposeAsQuarterTurnsDo() {
        RgbImage image = grey(4, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        RgbImage clockwise = Orientation.CLOCKWISE.apply(image);

        assertEquals(image, Orientation.COUNTERCLOCKWISE.apply(clockwise));
        assertEquals(Orientation.UPSIDE_DOWN.apply(image), Orientation.CLOCKWISE.apply(clockwise));
        // Mirroring a transposed picture left to right is a quarter turn clockwise.
        assertEquals(clockwise, Orientation.MIRRORED.apply(Orientation.TRANSPOSED.apply(image)));
        assertEquals(3, clockwise.width());
        assertEquals(4, clockwise.height());
    }

    @Test
    void keepsAllThreeChannelsOfEveryPixel() {
        byte[] rgb = {1, 2, 3, 4, 5, 6};
        assertArrayEquals(new byte[] {4, 5, 6, 1, 2, 3}, Orientation.MIRRORED.apply(rgb, 2, 1));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, Orientation.CLOCKWISE.apply(rgb, 2, 1));
        assertSame(rgb, Orientation.UPRIGHT.apply(rgb, 2, 1));
    }

    private static final int ONE = 1 << 16;

    /** A display matrix with the given 2 x 2 part (16.16 fixed point) and no translation. */
    private static int[] matrix(int a, int b, int c, int d) {
        return new int[] {a, b, 0, c, d, 0, 0, 0, 1 << 30};
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
