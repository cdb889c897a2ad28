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
    void readsDisplayRotationsInCounterclockwiseDegreesToTheNearestQuarterTurn() {
        assertEquals(Orientation.UPRIGHT, Orientation.ofDisplayRotation(0));
        assertEquals(Orientation.COUNTERCLOCKWISE, Orientation.ofDisplayRotation(90));
        assertEquals(Orientation.COUNTERCLOCKWISE, Orientation.ofDisplayRotation(89.6));
        assertEquals(Orientation.CLOCKWISE, Orientation.ofDisplayRotation(-90));
        assertEquals(Orientation.CLOCKWISE, Orientation.ofDisplayRotation(270));
        assertEquals(Orientation.UPSIDE_DOWN, Orientation.ofDisplayRotation(180));
        assertEquals(Orientation.UPSIDE_DOWN, Orientation.ofDisplayRotation(-180));
        assertEquals(Orientation.UPRIGHT, Orientation.ofDisplayRotation(360));
        assertEquals(Orientation.UPRIGHT, Orientation.ofDisplayRotation(45), "not a quarter turn: left as stored");
        assertEquals(Orientation.UPRIGHT, Orientation.ofDisplayRotation(Double.NaN));
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
