package io.clip4stream.query.example;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Images for tests: real encoded images, and crafted headers that declare what their bytes do not hold. */
public final class TestImages {
    private TestImages() {}

    /** A {@code width x height} image in {@code format} ("png" or "jpg"), half red and half blue. */
    public static byte[] encoded(String format, int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, width / 2, height);
        g.setColor(Color.BLUE);
        g.fillRect(width / 2, 0, width - width / 2, height);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A decompression bomb: a valid PNG signature and header declaring {@code width x height} RGB pixels, followed by
     * a tiny, truncated data chunk, so decoding it would try to allocate the whole image.
     */
    public static byte[] pngBomb(int width, int height) {
        ByteBuffer out = ByteBuffer.allocate(8 + 25 + 12 + 16 + 12);
        out.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width)
                .putInt(height)
                .put((byte) 8)
                .put((byte) 2)
                .put((byte) 0)
                .put((byte) 0)
                .put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0});
        chunk(out, "IEND", new byte[0]);
        return java.util.Arrays.copyOf(out.array(), out.position());
    }

    /**
     * {@code jpeg} with an APP1 {@code Exif} segment declaring EXIF {@code orientation} (1 to 8), in little- or
     * big-endian TIFF order, placed after the JFIF segment as cameras write it.
     */
    public static byte[] withExifOrientation(byte[] jpeg, int orientation, boolean littleEndian) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4)
                .order(littleEndian ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        tiff.put(littleEndian ? (byte) 'I' : (byte) 'M').put(littleEndian ? (byte) 'I' : (byte) 'M');
        tiff.putShort((short) 42).putInt(8); // IFD0 right after the header
        tiff.putShort((short) 1); // one entry: orientation, SHORT, count 1, value in the first two bytes
        tiff.putShort((short) 0x0112)
                .putShort((short) 3)
                .putInt(1)
                .putShort((short) orientation)
                .putShort((short) 0);
        tiff.putInt(0); // no next IFD
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + exif.length + tiff.capacity();
        ByteBuffer segment = ByteBuffer.allocate(2 + length);
        segment.put((byte) 0xFF)
                .put((byte) 0xE1)
                .putShort((short) length)
                .put(exif)
                .put(tiff.array());
        // After SOI and, when there is one, the JFIF APP0 segment.
        int at = 2;
        if ((jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0) {
            at = 4 + (((jpeg[4] & 0xFF) << 8) | (jpeg[5] & 0xFF));
        }
        byte[] out = new byte[jpeg.length + segment.capacity()];
        System.arraycopy(jpeg, 0, out, 0, at);
        System.arraycopy(segment.array(), 0, out, at, segment.capacity());
        System.arraycopy(jpeg, at, out, at + segment.capacity(), jpeg.length - at);
        return out;
    }

    /** The first bytes of a WebP file (RIFF container, type WEBP, a VP8 chunk header). */
    public static byte[] webpHeader() {
        byte[] bytes = new byte[40];
        System.arraycopy("RIFF".getBytes(StandardCharsets.ISO_8859_1), 0, bytes, 0, 4);
        bytes[4] = 32;
        System.arraycopy("WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1), 0, bytes, 8, 8);
        return bytes;
    }

    private static void chunk(ByteBuffer out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.ISO_8859_1);
        out.putInt(data.length).put(name).put(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.putInt((int) crc.getValue());
    }
}
