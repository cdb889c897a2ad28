package io.clip4stream.ingest.decode;

import io.clip4stream.model.preprocess.RgbImage;

/**
 * How a decoded picture is turned to be shown upright, from the stream's display matrix: phones store portrait video as
 * landscape pictures with a matrix saying "turn a quarter", which players, browsers and the {@code ffmpeg} command
 * apply. The model must see what a viewer sees: CLIP finds little in a sideways scene.
 */
public enum FrameRotation {
    /** Shown as decoded. */
    NONE,
    /** Turned a quarter counterclockwise (a display rotation of +90 degrees). */
    COUNTERCLOCKWISE,
    /** Turned upside down. */
    HALF_TURN,
    /** Turned a quarter clockwise (a display rotation of -90 degrees, as most phones record portrait video). */
    CLOCKWISE;

    /** How close to a quarter turn a display rotation must be to count as one. */
    private static final double TOLERANCE_DEGREES = 1.0;

    /**
     * The turn for FFmpeg's display rotation ({@code av_display_rotation_get}: degrees counterclockwise, what
     * {@code ffprobe} prints as {@code rotation}); {@link #NONE} for an angle that is not within a degree of a quarter
     * turn or is not a number (no matrix).
     */
    public static FrameRotation ofDisplayDegrees(double counterclockwise) {
        if (!Double.isFinite(counterclockwise)) {
            return NONE;
        }
        double turns = counterclockwise / 90.0;
        long quarter = Math.round(turns);
        if (Math.abs(turns - quarter) * 90.0 > TOLERANCE_DEGREES) {
            return NONE;
        }
        return switch ((int) Math.floorMod(quarter, 4L)) {
            case 1 -> COUNTERCLOCKWISE;
            case 2 -> HALF_TURN;
            case 3 -> CLOCKWISE;
            default -> NONE;
        };
    }

    /** Whether the shown picture's width is the decoded height (a quarter turn). */
    public boolean swapsSides() {
        return this == COUNTERCLOCKWISE || this == CLOCKWISE;
    }

    /** The shown width of a {@code width} × {@code height} decoded picture. */
    public int shownWidth(int width, int height) {
        return swapsSides() ? height : width;
    }

    /** The shown height of a {@code width} × {@code height} decoded picture. */
    public int shownHeight(int width, int height) {
        return swapsSides() ? width : height;
    }

    /** {@code image} as shown. */
    public RgbImage apply(RgbImage image) {
        return new RgbImage(
                shownWidth(image.width(), image.height()),
                shownHeight(image.width(), image.height()),
                apply(image.rgb(), image.width(), image.height()));
    }

    /**
     * The packed RGB pixels of a {@code width} × {@code height} picture as shown (rows of the shown width); the same
     * array when nothing turns.
     */
    public byte[] apply(byte[] rgb, int width, int height) {
        if (this == NONE) {
            return rgb;
        }
        byte[] out = new byte[rgb.length];
        int shownWidth = shownWidth(width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                // Where decoded pixel (x, y) lands in the shown picture.
                int sx;
                int sy;
                switch (this) {
                    case COUNTERCLOCKWISE -> {
                        sx = y;
                        sy = width - 1 - x;
                    }
                    case CLOCKWISE -> {
                        sx = height - 1 - y;
                        sy = x;
                    }
                    default -> {
                        sx = width - 1 - x;
                        sy = height - 1 - y;
                    }
                }
                int from = (y * width + x) * 3;
                int to = (sy * shownWidth + sx) * 3;
                out[to] = rgb[from];
                out[to + 1] = rgb[from + 1];
                out[to + 2] = rgb[from + 2];
            }
        }
        return out;
    }
}
