package io.clip4stream.model.preprocess;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.util.Arrays;
import java.util.Objects;

/**
 * An 8-bit RGB image, pixels row by row, each as three bytes R, G, B.
 *
 * @param width pixels per row, at least 1
 * @param height rows, at least 1
 * @param rgb exactly {@code width * height * 3} bytes, read as unsigned
 */
public record RgbImage(int width, int height, byte[] rgb) {

    /** Validates the dimensions against the buffer and copies it, so the image cannot change afterwards. */
    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive, got " + width + "x" + height);
        }
        Objects.requireNonNull(rgb, "rgb");
        long expected = 3L * width * height;
        if (rgb.length != expected) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + expected
                    + " bytes, got " + rgb.length + (rgb.length == 4L * width * height ? " (RGBA/BGRA?)" : ""));
        }
        rgb = rgb.clone();
    }

    /** Returns a copy of the pixel bytes. */
    @Override
    public byte[] rgb() {
        return rgb.clone();
    }

    /** Returns one channel value (0–255) of pixel ({@code x}, {@code y}); channel 0 is red. */
    public int sample(int x, int y, int channel) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        Objects.checkIndex(channel, 3);
        return rgb[(y * width + x) * 3 + channel] & 0xFF;
    }

    /**
     * Converts a decoded image to RGB the way Pillow's {@code convert("RGB")} does for the common decoder outputs:
     * alpha is dropped, grey levels are replicated (without the colour-space conversion {@link BufferedImage#getRGB}
     * applies to grey images), every other type goes through its colour model's sRGB conversion.
     */
    public static RgbImage fromBufferedImage(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(3, Math.multiplyExact(width, height))];
        boolean wholeRaster = image.getRaster().getParent() == null
                && image.getRaster().getSampleModelTranslateX() == 0
                && image.getRaster().getSampleModelTranslateY() == 0
                && image.getRaster().getDataBuffer().getOffset() == 0;
        switch (wholeRaster ? image.getType() : BufferedImage.TYPE_CUSTOM) {
            case BufferedImage.TYPE_3BYTE_BGR -> {
                byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
                for (int i = 0; i < rgb.length; i += 3) {
                    rgb[i] = bgr[i + 2];
                    rgb[i + 1] = bgr[i + 1];
                    rgb[i + 2] = bgr[i];
                }
            }
            case BufferedImage.TYPE_BYTE_GRAY -> {
                byte[] grey = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
                for (int i = 0; i < grey.length; i++) {
                    rgb[3 * i] = grey[i];
                    rgb[3 * i + 1] = grey[i];
                    rgb[3 * i + 2] = grey[i];
                }
            }
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB -> {
                int[] pixels = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
                unpackArgb(pixels, rgb);
            }
            default -> unpackArgb(image.getRGB(0, 0, width, height, null, 0, width), rgb);
        }
        return new RgbImage(width, height, rgb);
    }

    /** Returns this image as a {@link BufferedImage#TYPE_3BYTE_BGR} image, for encoding thumbnails. */
    public BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return image;
    }

    /** Gives the resampler in this package the pixels without a copy; callers must not modify them. */
    byte[] pixels() {
        return rgb;
    }

    private static void unpackArgb(int[] pixels, byte[] rgb) {
        for (int i = 0; i < pixels.length; i++) {
            int pixel = pixels[i];
            rgb[3 * i] = (byte) (pixel >>> 16);
            rgb[3 * i + 1] = (byte) (pixel >>> 8);
            rgb[3 * i + 2] = (byte) pixel;
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RgbImage that
                && width == that.width
                && height == that.height
                && Arrays.equals(rgb, that.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
