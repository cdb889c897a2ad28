package io.clip4stream.query.example;

import io.clip4stream.model.preprocess.RgbImage;
import io.clip4stream.query.search.RejectedExampleException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes an example image under {@link ImageLimits}: the size is checked first, then the format is sniffed from the
 * bytes and the width and height are read from the header, and only an image within the pixel limit is decoded, so a
 * small file declaring huge dimensions (a decompression bomb) never allocates its pixels.
 *
 * <p>A JPEG's (or TIFF's) EXIF orientation is applied, so the model sees the picture the way a browser shows it.
 *
 * <p>Formats are those this Java runtime's ImageIO reads: JPEG and PNG (also GIF, BMP, TIFF). WebP has no reader in
 * the JDK: a WebP image is refused with 415 and a message saying so, never mistaken for garbage.
 */
public final class ImageDecoder {
    private final ImageLimits limits;

    /** A decoder enforcing {@code limits}. */
    public ImageDecoder(ImageLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** The limits this decoder enforces. */
    public ImageLimits limits() {
        return limits;
    }

    /**
     * Decodes {@code bytes} to RGB.
     *
     * @throws RejectedExampleException 400 when empty, not an image or corrupt; 413 when over the byte or pixel
     *     limit; 415 for WebP
     */
    public RgbImage decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new RejectedExampleException(400, "empty_image", "the image is empty: send a JPEG or PNG image");
        }
        if (bytes.length > limits.maxBytes()) {
            throw new RejectedExampleException(
                    413,
                    "image_too_large",
                    "the image has " + bytes.length + " bytes; the limit is " + limits.maxBytes());
        }
        // A memory-backed stream: ImageIO's default stream would spill to a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                if (isWebp(bytes)) {
                    throw new RejectedExampleException(
                            415,
                            "unsupported_image_format",
                            "WebP images cannot be decoded here: this Java runtime's ImageIO has no WebP reader;"
                                    + " send the image as JPEG or PNG");
                }
                String heif = heifBrand(bytes);
                if (heif != null) {
                    // What iPhones take photos as by default: say so, rather than "not an image".
                    throw new RejectedExampleException(
                            415,
                            "unsupported_image_format",
                            ("avif".equals(heif) || "avis".equals(heif) ? "AVIF" : "HEIC/HEIF")
                                    + " images cannot be decoded here: this Java runtime's ImageIO has no reader for"
                                    + " them; send the image as JPEG or PNG (a phone can share a photo as JPEG)");
                }
                throw new RejectedExampleException(
                        400, "not_an_image", "the body is not an image this service reads (JPEG or PNG)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width < 1 || height < 1) {
                    throw new RejectedExampleException(
                            400, "not_an_image", "the image declares no pixels (" + width + "x" + height + ")");
                }
                if (width * height > limits.maxPixels()) {
                    throw new RejectedExampleException(
                            413,
                            "image_too_many_pixels",
                            "the image declares " + width + "x" + height + " = " + width * height
                                    + " pixels; the limit is " + limits.maxPixels()
                                    + " (it was not decoded)");
                }
                BufferedImage image = reader.read(0);
                // Upright as a browser shows it: ImageIO ignores the EXIF orientation a phone's photo carries.
                return ExifOrientation.of(bytes).apply(RgbImage.fromBufferedImage(image));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof RejectedExampleException rejected) {
                throw rejected;
            }
            throw new RejectedExampleException(
                    400, "unreadable_image", "the image cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** HEIF and AVIF major brands (ISO/IEC 23008-12, AV1 image format). */
    private static final java.util.Set<String> HEIF_BRANDS = java.util.Set.of(
            "heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs", "mif1", "msf1", "avif", "avis");

    /** The major brand of a HEIF or AVIF file ({@code ftyp} box first), or null for anything else. */
    static String heifBrand(byte[] bytes) {
        if (bytes.length < 12 || !new String(bytes, 4, 4, StandardCharsets.ISO_8859_1).equals("ftyp")) {
            return null;
        }
        String brand = new String(bytes, 8, 4, StandardCharsets.ISO_8859_1);
        return HEIF_BRANDS.contains(brand) ? brand : null;
    }

    /** Whether {@code bytes} start like a WebP file (a RIFF container of type WEBP). */
    static boolean isWebp(byte[] bytes) {
        return bytes.length >= 12
                && new String(bytes, 0, 4, StandardCharsets.ISO_8859_1).equals("RIFF")
                && new String(bytes, 8, 4, StandardCharsets.ISO_8859_1).equals("WEBP");
    }
}
