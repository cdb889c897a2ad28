package io.clip4stream.model.preprocess;

/**
 * How a stored picture is turned (and, for a mirrored one, flipped) to be shown upright: the eight orientations of
 * EXIF, which also cover every turn and flip {@code ffmpeg} applies for a video stream's display matrix. Phones store portrait photos and video as landscape
 * pictures with such a mark, which viewers, browsers and the {@code ffmpeg} command apply; the model must see what a
 * viewer sees, since CLIP finds little in a sideways scene.
 */
public enum Orientation {
    /** Shown as stored (EXIF 1). */
    UPRIGHT(1),
    /** Mirrored left to right (EXIF 2). */
    MIRRORED(2),
    /** Turned upside down (EXIF 3). */
    UPSIDE_DOWN(3),
    /** Mirrored top to bottom (EXIF 4). */
    MIRRORED_UPSIDE_DOWN(4),
    /** Flipped about the main diagonal: stored rows become shown columns (EXIF 5). */
    TRANSPOSED(5),
    /** Turned a quarter clockwise (EXIF 6; as phones record portrait: {@code ffprobe} prints rotation -90). */
    CLOCKWISE(6),
    /** Flipped about the other diagonal (EXIF 7). */
    TRANSVERSE(7),
    /** Turned a quarter counterclockwise (EXIF 8; {@code ffprobe} prints rotation 90). */
    COUNTERCLOCKWISE(8);

    /** How close (in whole degrees, as {@code ffmpeg} rounds them) a matrix's angle must be to a quarter turn. */
    private static final double TOLERANCE_DEGREES = 1.0;

    private final int exif;

    Orientation(int exif) {
        this.exif = exif;
    }

    /** The EXIF orientation tag's value (1 to 8). */
    public int exif() {
        return exif;
    }

    /** The orientation an EXIF orientation tag names; {@link #UPRIGHT} for a value outside 1 to 8. */
    public static Orientation ofExif(int tag) {
        for (Orientation orientation : values()) {
            if (orientation.exif == tag) {
                return orientation;
            }
        }
        return UPRIGHT;
    }

    /**
     * The orientation the {@code ffmpeg} command shows a video stream in, from its display matrix (FFmpeg's
     * {@code AV_PKT_DATA_DISPLAYMATRIX}: nine int32, 16.16 fixed point, row by row): a quarter or half turn, flipped
     * where the matrix mirrors, as {@code ffmpeg}'s autorotate chooses its {@code transpose}, {@code hflip} and
     * {@code vflip} filters. {@link #UPRIGHT} without a matrix, and for an angle off the quarter turns (which
     * {@code ffmpeg} would turn by an arbitrary angle).
     */
    public static Orientation ofDisplayMatrix(int[] matrix) {
        if (matrix == null || matrix.length < 9) {
            return UPRIGHT;
        }
        double theta = clockwiseDegrees(matrix);
        if (Math.abs(theta - 90) < TOLERANCE_DEGREES) {
            return matrix[3] > 0 ? TRANSPOSED : CLOCKWISE; // transpose=cclock_flip : transpose=clock
        }
        if (Math.abs(theta - 180) < TOLERANCE_DEGREES) {
            boolean hflip = matrix[0] < 0;
            boolean vflip = matrix[4] < 0;
            if (hflip && vflip) {
                return UPSIDE_DOWN;
            }
            return hflip ? MIRRORED : vflip ? MIRRORED_UPSIDE_DOWN : UPRIGHT;
        }
        if (Math.abs(theta - 270) < TOLERANCE_DEGREES) {
            return matrix[3] < 0 ? TRANSVERSE : COUNTERCLOCKWISE; // transpose=clock_flip : transpose=cclock
        }
        if (Math.abs(theta) < TOLERANCE_DEGREES) {
            return matrix[4] < 0 ? MIRRORED_UPSIDE_DOWN : UPRIGHT;
        }
        return UPRIGHT;
    }

    /**
     * The matrix's clockwise turn in whole degrees, in [0, 360), as {@code ffmpeg}'s {@code get_rotation} computes it
     * (minus {@code av_display_rotation_get}, rounded); NaN for a degenerate matrix.
     */
    private static double clockwiseDegrees(int[] matrix) {
        double a = matrix[0] / 65536.0;
        double b = matrix[1] / 65536.0;
        double c = matrix[3] / 65536.0;
        double d = matrix[4] / 65536.0;
        double scaleX = Math.hypot(a, c);
        double scaleY = Math.hypot(b, d);
        if (scaleX == 0 || scaleY == 0) {
            return Double.NaN;
        }
        double counterclockwise = -Math.toDegrees(Math.atan2(b / scaleY, a / scaleX));
        double theta = -Math.round(counterclockwise);
        return theta - 360 * Math.floor(theta / 360 + 0.9 / 360);
    }

    /** Whether the shown picture's width is the stored height. */
    public boolean swapsSides() {
        return exif >= 5;
    }

    /** The shown width of a {@code width} × {@code height} stored picture. */
    public int shownWidth(int width, int height) {
        return swapsSides() ? height : width;
    }

    /** The shown height of a {@code width} × {@code height} stored picture. */
    public int shownHeight(int width, int height) {
        return swapsSides() ? width : height;
    }

    /** {@code image} as shown. */
    public RgbImage apply(RgbImage image) {
        if (this == UPRIGHT) {
            return image;
        }
        return new RgbImage(
                shownWidth(image.width(), image.height()),
                shownHeight(image.width(), image.height()),
                apply(image.rgb(), image.width(), image.height()));
    }

    /**
     * The packed RGB pixels of a {@code width} × {@code height} stored picture as shown (rows of the shown width);
     * the same array when shown as stored.
     */
    public byte[] apply(byte[] rgb, int width, int height) {
        if (this == UPRIGHT) {
            return rgb;
        }
        byte[] out = new byte[rgb.length];
        // The shown position is linear in (x, y): one step along a stored row or column moves the shown index by a
        // fixed amount, so the loop needs no per-pixel case analysis.
        int origin = shownIndex(0, 0, width, height);
        int alongRow = shownIndex(1, 0, width, height) - origin;
        int alongColumn = shownIndex(0, 1, width, height) - origin;
        int from = 0;
        for (int y = 0; y < height; y++) {
            int to = origin + y * alongColumn;
            for (int x = 0; x < width; x++, to += alongRow, from += 3) {
                out[3 * to] = rgb[from];
                out[3 * to + 1] = rgb[from + 1];
                out[3 * to + 2] = rgb[from + 2];
            }
        }
        return out;
    }

    /** The shown pixel index of stored pixel ({@code x}, {@code y}); linear in both. */
    private int shownIndex(int x, int y, int width, int height) {
        return shownY(x, y, width, height) * shownWidth(width, height) + shownX(x, y, width, height);
    }

    /** The shown column of stored pixel ({@code x}, {@code y}). */
    private int shownX(int x, int y, int width, int height) {
        return switch (this) {
            case UPRIGHT, MIRRORED_UPSIDE_DOWN -> x;
            case MIRRORED, UPSIDE_DOWN -> width - 1 - x;
            case TRANSPOSED, COUNTERCLOCKWISE -> y;
            case CLOCKWISE, TRANSVERSE -> height - 1 - y;
        };
    }

    /** The shown row of stored pixel ({@code x}, {@code y}). */
    private int shownY(int x, int y, int width, int height) {
        return switch (this) {
            case UPRIGHT, MIRRORED -> y;
            case UPSIDE_DOWN, MIRRORED_UPSIDE_DOWN -> height - 1 - y;
            case TRANSPOSED, CLOCKWISE -> x;
            case TRANSVERSE, COUNTERCLOCKWISE -> width - 1 - x;
        };
    }
}
