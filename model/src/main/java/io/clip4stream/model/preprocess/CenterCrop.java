package io.clip4stream.model.preprocess;

import java.util.Objects;

/** torchvision's {@code CenterCrop(size)} for a square crop, with its round-half-to-even offsets. */
public final class CenterCrop {

    /** Creates the crop; it holds no state. */
    public CenterCrop() {}

    /**
     * Returns the top-left offset of a centred window: {@code int(round((length - cropLength) / 2.0))}, where Python's
     * {@code round} sends halves to the even neighbour (297 → 224 gives 36, not 37).
     */
    public static int offset(int length, int cropLength) {
        return (int) Math.rint((length - cropLength) / 2.0);
    }

    /** Cuts the centred {@code size} x {@code size} window out of {@code image}. */
    public RgbImage crop(RgbImage image, int size) {
        Objects.requireNonNull(image, "image");
        if (size <= 0) {
            throw new IllegalArgumentException("crop size must be positive, got " + size);
        }
        if (size > image.width() || size > image.height()) {
            // torchvision would zero-pad here; after the short-side resize this cannot happen, so it signals a bug.
            throw new IllegalArgumentException(
                    "cannot crop " + size + "x" + size + " from a " + image.width() + "x" + image.height() + " image");
        }
        if (size == image.width() && size == image.height()) {
            return image;
        }
        int top = offset(image.height(), size);
        int left = offset(image.width(), size);
        byte[] in = image.pixels();
        byte[] out = new byte[size * size * 3];
        for (int y = 0; y < size; y++) {
            System.arraycopy(in, ((top + y) * image.width() + left) * 3, out, y * size * 3, size * 3);
        }
        return new RgbImage(size, size, out);
    }
}
