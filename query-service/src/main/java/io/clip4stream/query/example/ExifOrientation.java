package io.clip4stream.query.example;

import io.clip4stream.model.preprocess.Orientation;

/**
 * Reads the EXIF orientation of a JPEG (its APP1 {@code Exif} segment) or a TIFF image, which the JDK's ImageIO
 * ignores while browsers apply it: a phone's portrait photo is stored sideways with orientation 6, so without it the
 * model would be asked about a sideways scene the user never saw.
 *
 * <p>Only headers are read, every offset bounds-checked; anything malformed or absent reads as
 * {@link Orientation#UPRIGHT}, as a viewer that cannot read the mark shows the picture.
 */
public final class ExifOrientation {
    private static final int ORIENTATION_TAG = 0x0112;
    private static final int SHORT = 3;
    private static final int ENTRY_BYTES = 12;

    private ExifOrientation() {}

    /** The orientation {@code image} (the encoded file) declares; {@link Orientation#UPRIGHT} when none. */
    public static Orientation of(byte[] image) {
        if (image.length >= 4 && (image[0] & 0xFF) == 0xFF && (image[1] & 0xFF) == 0xD8) {
            return ofJpeg(image);
        }
        if (image.length >= 8 && isTiffHeader(image, 0)) {
            return ofTiff(image, 0, image.length);
        }
        return Orientation.UPRIGHT;
    }

    /** Walks the JPEG's marker segments up to the image data, looking for {@code APP1 "Exif\0\0"}. */
    private static Orientation ofJpeg(byte[] jpeg) {
        int at = 2;
        while (at + 4 <= jpeg.length) {
            if ((jpeg[at] & 0xFF) != 0xFF) {
                return Orientation.UPRIGHT; // not a marker where one must be: malformed
            }
            int marker = jpeg[at + 1] & 0xFF;
            if (marker == 0xFF) {
                at++; // fill byte
                continue;
            }
            if (marker == 0xDA || marker == 0xD9) {
                return Orientation.UPRIGHT; // start of scan or end of image: EXIF comes before
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                at += 2; // markers without a length
                continue;
            }
            int length = unsigned16(jpeg, at + 2, false);
            int body = at + 4;
            int end = at + 2 + length;
            if (length < 2 || end > jpeg.length) {
                return Orientation.UPRIGHT;
            }
            if (marker == 0xE1 && end - body >= 6 + 8 && startsWithExif(jpeg, body)) {
                return ofTiff(jpeg, body + 6, end);
            }
            at = end;
        }
        return Orientation.UPRIGHT;
    }

    /** Reads the orientation tag of IFD0 of the TIFF structure in {@code bytes[start, end)}. */
    private static Orientation ofTiff(byte[] bytes, int start, int end) {
        if (!isTiffHeader(bytes, start)) {
            return Orientation.UPRIGHT;
        }
        boolean little = bytes[start] == 'I';
        long ifd = unsigned32(bytes, start + 4, little);
        if (ifd < 8 || start + ifd + 2 > end) {
            return Orientation.UPRIGHT;
        }
        int directory = start + (int) ifd;
        int entries = unsigned16(bytes, directory, little);
        for (int i = 0; i < entries; i++) {
            int entry = directory + 2 + i * ENTRY_BYTES;
            if (entry + ENTRY_BYTES > end) {
                return Orientation.UPRIGHT;
            }
            if (unsigned16(bytes, entry, little) == ORIENTATION_TAG) {
                if (unsigned16(bytes, entry + 2, little) != SHORT || unsigned32(bytes, entry + 4, little) < 1) {
                    return Orientation.UPRIGHT;
                }
                // A single SHORT sits in the first two bytes of the value field.
                return Orientation.ofExif(unsigned16(bytes, entry + 8, little));
            }
        }
        return Orientation.UPRIGHT;
    }

    private static boolean isTiffHeader(byte[] bytes, int at) {
        if (at + 8 > bytes.length) {
            return false;
        }
        boolean little = bytes[at] == 'I' && bytes[at + 1] == 'I';
        boolean big = bytes[at] == 'M' && bytes[at + 1] == 'M';
        return (little || big) && unsigned16(bytes, at + 2, little) == 42;
    }

    private static boolean startsWithExif(byte[] bytes, int at) {
        return bytes[at] == 'E'
                && bytes[at + 1] == 'x'
                && bytes[at + 2] == 'i'
                && bytes[at + 3] == 'f'
                && bytes[at + 4] == 0
                && bytes[at + 5] == 0;
    }

    private static int unsigned16(byte[] bytes, int at, boolean little) {
        int a = bytes[at] & 0xFF;
        int b = bytes[at + 1] & 0xFF;
        return little ? (b << 8) | a : (a << 8) | b;
    }

    private static long unsigned32(byte[] bytes, int at, boolean little) {
        long high = unsigned16(bytes, at + (little ? 2 : 0), little);
        long low = unsigned16(bytes, at + (little ? 0 : 2), little);
        return (high << 16) | low;
    }
}
