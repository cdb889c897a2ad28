package io.clip4stream.query.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.query.search.RejectedExampleException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(new ImageLimits(100_000, 1_000_000));

    private RejectedExampleException rejected(byte[] bytes) {
        return assertThrows(RejectedExampleException.class, () -> decoder.decode(bytes));
    }

    @Test
    void shouldDecodePngAndJpegToRgbOfTheirSize() {
        RgbImage png = decoder.decode(TestImages.encoded("png", 40, 30));
        assertEquals(40, png.width());
        assertEquals(30, png.height());
        assertEquals(255, png.sample(0, 0, 0));
        assertEquals(255, png.sample(39, 29, 2));
        RgbImage jpeg = decoder.decode(TestImages.encoded("jpg", 64, 48));
        assertEquals(64, jpeg.width());
        assertTrue(jpeg.sample(60, 20, 2) > 200, "the right half is blue");
    }

    @Test
    void shouldTurnAPhotoUprightByItsExifOrientationAsABrowserShowsIt() {
        // Stored 64 x 48, red on the left, blue on the right.
        for (boolean littleEndian : new boolean[] {true, false}) {
            byte[] stored = TestImages.encoded("jpg", 64, 48);
            // 6: a quarter clockwise (a phone held upright): the stored left edge is the top of what is shown.
            RgbImage clockwise = decoder.decode(TestImages.withExifOrientation(stored, 6, littleEndian));
            assertEquals(48, clockwise.width());
            assertEquals(64, clockwise.height());
            assertTrue(clockwise.sample(24, 5, 0) > 200 && clockwise.sample(24, 5, 2) < 60, "red on top");
            assertTrue(clockwise.sample(24, 58, 2) > 200 && clockwise.sample(24, 58, 0) < 60, "blue below");
            // 8: a quarter counterclockwise: the stored left edge is the bottom.
            RgbImage counterclockwise = decoder.decode(TestImages.withExifOrientation(stored, 8, littleEndian));
            assertTrue(counterclockwise.sample(24, 58, 0) > 200, "red below");
            // 1: as stored.
            RgbImage upright = decoder.decode(TestImages.withExifOrientation(stored, 1, littleEndian));
            assertEquals(64, upright.width());
            assertTrue(upright.sample(5, 24, 0) > 200, "red on the left");
        }
    }

    @Test
    void shouldRefuseAnEmptyBodyWith400() {
        RejectedExampleException e = rejected(new byte[0]);
        assertEquals(400, e.status());
        assertEquals("empty_image", e.code());
    }

    @Test
    void shouldRefuseBytesThatAreNoImageWith400() {
        RejectedExampleException e = rejected("hello, this is text".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, e.status());
        assertEquals("not_an_image", e.code());
    }

    @Test
    void shouldRefuseATruncatedImageWith400() {
        byte[] png = TestImages.encoded("png", 40, 30);
        RejectedExampleException e = rejected(java.util.Arrays.copyOf(png, 60));
        assertEquals(400, e.status());
    }

    @Test
    void shouldRefuseAFileOverTheByteLimitWith413BeforeReadingIt() {
        RejectedExampleException e = rejected(new byte[100_001]);
        assertEquals(413, e.status());
        assertEquals("image_too_large", e.code());
    }

    @Test
    void shouldRefuseADecompressionBombFromItsHeaderWith413() {
        byte[] bomb = TestImages.pngBomb(50_000, 50_000);
        assertTrue(bomb.length < 100, "the bomb is a small file: " + bomb.length + " bytes");
        RejectedExampleException e = rejected(bomb);
        assertEquals(413, e.status());
        assertEquals("image_too_many_pixels", e.code());
        assertTrue(e.getMessage().contains("50000x50000"), e.getMessage());
    }

    @Test
    void shouldAcceptAnImageExactlyAtThePixelLimit() {
        ImageDecoder tight = new ImageDecoder(new ImageLimits(100_000, 40 * 30));
        assertEquals(40, tight.decode(TestImages.encoded("png", 40, 30)).width());
        assertEquals(
                413,
                assertThrows(RejectedExampleException.class, () -> tight.decode(TestImages.encoded("png", 41, 30)))
                        .status());
    }

    @Test
    void shouldSayThatHeicAndAvifPhotosCannotBeDecodedHereWith415() {
        for (String brand : new String[] {"heic", "mif1", "avif"}) {
            byte[] header = new byte[32];
            header[3] = 24; // box size
            System.arraycopy(("ftyp" + brand).getBytes(StandardCharsets.ISO_8859_1), 0, header, 4, 8);
            RejectedExampleException e = rejected(header);
            assertEquals(415, e.status());
            assertEquals("unsupported_image_format", e.code());
            assertTrue(
                    e.getMessage().startsWith(brand.equals("avif") ? "AVIF images" : "HEIC/HEIF images"),
                    e.getMessage());
        }
        // An MP4 video has an ftyp box too, but is no HEIF: it stays "not an image".
        byte[] mp4 = new byte[32];
        System.arraycopy("ftypisom".getBytes(StandardCharsets.ISO_8859_1), 0, mp4, 4, 8);
        assertEquals(400, rejected(mp4).status());
    }

    @Test
    void shouldSayThatWebpCannotBeDecodedHereWith415() {
        RejectedExampleException e = rejected(TestImages.webpHeader());
        assertEquals(415, e.status());
        assertTrue(e.getMessage().contains("WebP"), e.getMessage());
    }
}
