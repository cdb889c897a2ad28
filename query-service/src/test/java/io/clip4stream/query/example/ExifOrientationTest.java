package io.clip4stream.query.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.clip4stream.model.preprocess.Orientation;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Reading the EXIF orientation from image headers, and nothing but UPRIGHT from anything malformed. */
class ExifOrientationTest {
    private static final byte[] JPEG = TestImages.encoded("jpg", 32, 16);

    @Test
    void readsEveryOrientationInBothByteOrders() {
        for (Orientation orientation : Orientation.values()) {
            for (boolean littleEndian : new boolean[] {true, false}) {
                assertEquals(
                        orientation,
                        ExifOrientation.of(TestImages.withExifOrientation(JPEG, orientation.exif(), littleEndian)),
                        orientation + (littleEndian ? " II" : " MM"));
            }
        }
    }

    @Test
    void anImageWithoutExifIsUpright() {
        assertEquals(Orientation.UPRIGHT, ExifOrientation.of(JPEG));
        assertEquals(Orientation.UPRIGHT, ExifOrientation.of(TestImages.encoded("png", 8, 8)));
        assertEquals(Orientation.UPRIGHT, ExifOrientation.of(new byte[0]));
        assertEquals(Orientation.UPRIGHT, ExifOrientation.of(new byte[] {(byte) 0xFF, (byte) 0xD8}));
    }

    @Test
    void aTiffFileIsReadFromItsOwnHeader() {
        byte[] jpeg = TestImages.withExifOrientation(JPEG, 8, false);
        int exif = indexOf(jpeg, "Exif".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        byte[] tiff = Arrays.copyOfRange(jpeg, exif + 6, exif + 6 + 26);
        assertEquals(Orientation.COUNTERCLOCKWISE, ExifOrientation.of(tiff));
    }

    @Test
    void aValueThatIsNoOrientationOrNotAShortIsUpright() {
        assertEquals(Orientation.UPRIGHT, ExifOrientation.of(TestImages.withExifOrientation(JPEG, 9, true)));
        byte[] jpeg = TestImages.withExifOrientation(JPEG, 6, true);
        int exif = indexOf(jpeg, "Exif".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        jpeg[exif + 6 + 8 + 2 + 2] = 4; // the entry's type: LONG instead of SHORT
        assertEquals(Orientation.UPRIGHT, ExifOrientation.of(jpeg));
    }

    @Test
    void truncatedOrCorruptedHeadersNeverThrowAndNeverInventATurn() {
        byte[] jpeg = TestImages.withExifOrientation(JPEG, 6, true);
        int exif = indexOf(jpeg, "Exif".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        // Cut anywhere before the EXIF segment's end (4 bytes of marker and length before "Exif", 6 + 26 after):
        // its declared length runs past the end.
        int segmentEnd = exif + 6 + 26;
        for (int cut = 0; cut < segmentEnd; cut++) {
            assertEquals(Orientation.UPRIGHT, ExifOrientation.of(Arrays.copyOf(jpeg, cut)), "cut at " + cut);
        }
        assertEquals(Orientation.CLOCKWISE, ExifOrientation.of(Arrays.copyOf(jpeg, segmentEnd)), "the whole segment");
        // Random bytes anywhere in the header: whatever is read, nothing throws.
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] corrupt = jpeg.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                corrupt[random.nextInt(exif + 40)] = (byte) random.nextInt(256);
            }
            ExifOrientation.of(corrupt);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
