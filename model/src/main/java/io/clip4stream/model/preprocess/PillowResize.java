package io.clip4stream.model.preprocess;

import java.util.Objects;

/**
 * Pillow 9.4's {@code Image.resize(size, BICUBIC)} or {@code Image.resize(size, BILINEAR)} on 8-bit RGB, bit for bit
 * ({@code libImaging/Resample.c}); torchvision's {@code Resize} on PIL images calls exactly this.
 *
 * <p>Bicubic is Keys cubic with a = -0.5 (support 2), bilinear the triangle filter (support 1); when shrinking, the
 * kernel is stretched by the scale factor (antialiasing, unlike OpenCV's {@code INTER_LINEAR}). Weights
 * are computed in double, normalised to sum 1, then quantised to 22-bit fixed point; each output sample is the integer
 * sum plus 2^21, shifted right by 22 and clamped to 0–255. The horizontal pass runs first and its output is rounded to
 * 8 bits before the vertical pass, as in Pillow. A pass whose dimension does not change is skipped.
 */
public final class PillowResize {

    /** A Pillow resampling filter: its support at scale 1 and its kernel. */
    public enum Filter {
        /** {@code Image.BICUBIC}: CLIP's and CLIP4Clip's. */
        BICUBIC(2.0),
        /** {@code Image.BILINEAR}: the triangle filter. */
        BILINEAR(1.0);

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            return this == BICUBIC ? cubic(x) : triangle(x);
        }
    }

    /** Pillow's {@code PRECISION_BITS}: 32 bits minus 8 for the result minus 2 for overshoot of negative lobes. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private final Filter filter;

    /** Creates a resampler with {@code filter}. */
    public PillowResize(Filter filter) {
        this.filter = Objects.requireNonNull(filter, "filter");
    }

    /** Returns Pillow's bicubic resampler, CLIP's. */
    public static PillowResize bicubic() {
        return new PillowResize(Filter.BICUBIC);
    }

    /** Returns Pillow's bilinear resampler. */
    public static PillowResize bilinear() {
        return new PillowResize(Filter.BILINEAR);
    }

    /** Returns the filter. */
    public Filter filter() {
        return filter;
    }

    /** Resizes {@code image} to {@code outWidth} x {@code outHeight}. */
    public RgbImage resize(RgbImage image, int outWidth, int outHeight) {
        Objects.requireNonNull(image, "image");
        if (outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("target size must be positive, got " + outWidth + "x" + outHeight);
        }
        int inWidth = image.width();
        int inHeight = image.height();
        if (inWidth == outWidth && inHeight == outHeight) {
            return image;
        }
        Coefficients horizontal = Coefficients.of(inWidth, outWidth, filter);
        Coefficients vertical = Coefficients.of(inHeight, outHeight, filter);
        byte[] pixels = image.pixels();
        int rows = inHeight;
        int firstRow = 0;
        if (inWidth != outWidth) {
            // Like Pillow, only the source rows the vertical pass will read are resampled horizontally.
            firstRow = inHeight != outHeight ? vertical.first(0) : 0;
            int lastRow =
                    inHeight != outHeight ? vertical.first(outHeight - 1) + vertical.count(outHeight - 1) : inHeight;
            pixels = horizontalPass(pixels, inWidth, firstRow, lastRow, outWidth, horizontal);
            rows = lastRow - firstRow;
        }
        if (inHeight != outHeight) {
            pixels = verticalPass(pixels, outWidth, firstRow, outHeight, vertical);
            rows = outHeight;
        }
        return new RgbImage(outWidth, rows, pixels);
    }

    private static byte[] horizontalPass(
            byte[] in, int inWidth, int firstRow, int lastRow, int outWidth, Coefficients coefficients) {
        byte[] out = new byte[(lastRow - firstRow) * outWidth * 3];
        int ksize = coefficients.ksize();
        int[] weights = coefficients.weights();
        int o = 0;
        for (int y = firstRow; y < lastRow; y++) {
            int rowStart = y * inWidth * 3;
            for (int xx = 0; xx < outWidth; xx++) {
                int xmin = coefficients.first(xx);
                int count = coefficients.count(xx);
                int k = xx * ksize;
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                int p = rowStart + xmin * 3;
                for (int x = 0; x < count; x++, p += 3) {
                    int w = weights[k + x];
                    r += (in[p] & 0xFF) * w;
                    g += (in[p + 1] & 0xFF) * w;
                    b += (in[p + 2] & 0xFF) * w;
                }
                out[o++] = clip8(r);
                out[o++] = clip8(g);
                out[o++] = clip8(b);
            }
        }
        return out;
    }

    /** {@code in} holds rows starting at source row {@code firstRow}; the bounds are in source rows. */
    private static byte[] verticalPass(byte[] in, int width, int firstRow, int outHeight, Coefficients coefficients) {
        byte[] out = new byte[outHeight * width * 3];
        int ksize = coefficients.ksize();
        int[] weights = coefficients.weights();
        int stride = width * 3;
        int o = 0;
        for (int yy = 0; yy < outHeight; yy++) {
            int ymin = coefficients.first(yy) - firstRow;
            int count = coefficients.count(yy);
            int k = yy * ksize;
            for (int xx = 0; xx < width; xx++) {
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                int p = ymin * stride + xx * 3;
                for (int y = 0; y < count; y++, p += stride) {
                    int w = weights[k + y];
                    r += (in[p] & 0xFF) * w;
                    g += (in[p + 1] & 0xFF) * w;
                    b += (in[p + 2] & 0xFF) * w;
                }
                out[o++] = clip8(r);
                out[o++] = clip8(g);
                out[o++] = clip8(b);
            }
        }
        return out;
    }

    /** Pillow's {@code clip8}: arithmetic shift out the fraction, clamp to a byte. */
    private static byte clip8(int accumulator) {
        int value = accumulator >> PRECISION_BITS;
        return (byte) (value < 0 ? 0 : Math.min(value, 255));
    }

    /** Pillow's bicubic kernel with a = -0.5, evaluated in the same operation order. */
    static double cubic(double x) {
        final double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    /** Pillow's {@code bilinear_filter}. */
    static double triangle(double x) {
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return 1.0 - x;
        }
        return 0.0;
    }

    /**
     * Pillow's {@code precompute_coeffs} followed by {@code normalize_coeffs_8bpc}: for output index i, source taps
     * {@code first(i) .. first(i) + count(i) - 1} with fixed-point weights at {@code weights[i * ksize ..]}.
     */
    record Coefficients(int ksize, int[] bounds, int[] weights) {

        static Coefficients of(int inSize, int outSize, Filter filter) {
            // Pillow passes the box as floats; (float) inSize - 0f is exact for any real image size.
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[outSize * 2];
            int[] weights = new int[Math.multiplyExact(outSize, ksize)];
            double[] taps = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double inverseScale = 1.0 / filterScale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double sum = 0.0;
                for (int x = 0; x < xmax; x++) {
                    double w = filter.weight((x + xmin - center + 0.5) * inverseScale);
                    taps[x] = w;
                    sum += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double normalised = sum != 0.0 ? taps[x] / sum : taps[x];
                    // C's (int) cast truncates toward zero, as Java's does.
                    weights[xx * ksize + x] = normalised < 0
                            ? (int) (-0.5 + normalised * (1 << PRECISION_BITS))
                            : (int) (0.5 + normalised * (1 << PRECISION_BITS));
                }
                bounds[2 * xx] = xmin;
                bounds[2 * xx + 1] = xmax;
            }
            return new Coefficients(ksize, bounds, weights);
        }

        int first(int index) {
            return bounds[2 * index];
        }

        int count(int index) {
            return bounds[2 * index + 1];
        }
    }
}
