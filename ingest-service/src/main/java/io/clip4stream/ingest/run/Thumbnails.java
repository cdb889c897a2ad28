package io.clip4stream.ingest.run;

import io.clip4stream.model.preprocess.RgbImage;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Small JPEG thumbnails of sampled frames, for clip boundaries. */
public final class Thumbnails {
    private final int size;

    /** Thumbnails whose longest side is {@code size} pixels. */
    public Thumbnails(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("thumbnail size must be positive; was " + size);
        }
        this.size = size;
    }

    /** The JPEG (quality 0.8) of {@code image} scaled to fit {@code size}. */
    public byte[] jpeg(RgbImage image) {
        double scale = Math.min(1.0, (double) size / Math.max(image.width(), image.height()));
        int w = Math.max(1, (int) Math.round(image.width() * scale));
        int h = Math.max(1, (int) Math.round(image.height() * scale));
        BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = scaled.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image.toBufferedImage(), 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.8f);
            writer.write(null, new IIOImage(scaled, null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode a " + w + "x" + h + " JPEG thumbnail", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}
