package io.clip4stream.app.demo;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Polygon;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Random;

/** Draws a scene at a moment of its clip: background, texture, the objects in their poses, then pixel noise. */
public final class SceneRenderer {

    private final int width;
    private final int height;

    /** Creates a renderer of {@code width × height} frames. */
    public SceneRenderer(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /** Returns the frame at {@code progress} (0 to 1) of {@code scene}; the noise comes from {@code noise}. */
    public BufferedImage render(Scene scene, double progress, Random noise) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            drawBackground(g, scene.background());
            for (SceneObject object : scene.objects()) {
                drawObject(g, object, object.pose(progress));
            }
        } finally {
            g.dispose();
        }
        addNoise(image, scene.background().noise(), noise);
        return image;
    }

    private void drawBackground(Graphics2D g, Background background) {
        Color base = background.base();
        g.setColor(base);
        g.fillRect(0, 0, width, height);
        Color light = new Color(
                Math.min(255, base.getRed() + 22),
                Math.min(255, base.getGreen() + 22),
                Math.min(255, base.getBlue() + 22));
        g.setColor(light);
        int cell = Math.max(4, width / 10);
        switch (background.texture()) {
            case PLAIN -> {
                // Nothing over the base colour.
            }
            case STRIPES -> {
                g.setStroke(new BasicStroke(Math.max(2, cell / 3f)));
                for (int x = -height; x < width; x += cell) {
                    g.drawLine(x, height, x + height, 0);
                }
            }
            case CHECKER -> {
                for (int y = 0; y < height; y += cell) {
                    for (int x = (y / cell) % 2 * cell; x < width; x += 2 * cell) {
                        g.fillRect(x, y, cell, cell);
                    }
                }
            }
            case DOTS -> {
                int r = Math.max(2, cell / 5);
                for (int y = cell / 2; y < height; y += cell) {
                    for (int x = cell / 2; x < width; x += cell) {
                        g.fillOval(x - r, y - r, 2 * r, 2 * r);
                    }
                }
            }
        }
    }

    private void drawObject(Graphics2D g, SceneObject object, SceneObject.Pose pose) {
        if (!pose.visible()) {
            return;
        }
        double side = Math.min(width, height);
        double size = pose.size() * side;
        double cx = pose.x() * width;
        double cy = pose.y() * height;
        AffineTransform saved = g.getTransform();
        g.translate(cx, cy);
        g.rotate(pose.angle());
        g.setColor(object.colour().rgb());
        double h = size / 2;
        switch (object.shape()) {
            case CIRCLE -> g.fill(new Ellipse2D.Double(-h, -h, size, size));
            case SQUARE -> g.fill(new java.awt.geom.Rectangle2D.Double(-h * 0.9, -h * 0.9, size * 0.9, size * 0.9));
            case TRIANGLE ->
                g.fill(new Polygon(
                        new int[] {0, (int) Math.round(h), (int) Math.round(-h)},
                        new int[] {(int) Math.round(-h), (int) Math.round(h * 0.8), (int) Math.round(h * 0.8)},
                        3));
            case STAR -> g.fill(star(h));
        }
        g.setTransform(saved);
    }

    private static Path2D star(double radius) {
        Path2D path = new Path2D.Double();
        for (int i = 0; i < 10; i++) {
            double r = i % 2 == 0 ? radius : radius * 0.42;
            double a = -Math.PI / 2 + i * Math.PI / 5;
            if (i == 0) {
                path.moveTo(r * Math.cos(a), r * Math.sin(a));
            } else {
                path.lineTo(r * Math.cos(a), r * Math.sin(a));
            }
        }
        path.closePath();
        return path;
    }

    private static void addNoise(BufferedImage image, double sigma, Random random) {
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < pixels.length; i++) {
            int value = (pixels[i] & 0xFF) + (int) Math.round(random.nextGaussian() * sigma);
            pixels[i] = (byte) Math.max(0, Math.min(255, value));
        }
    }
}
