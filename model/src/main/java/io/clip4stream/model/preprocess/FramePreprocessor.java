package io.clip4stream.model.preprocess;

import java.util.List;
import java.util.Objects;

/**
 * The one frame pipeline of the system, identical to CLIP4Clip's {@code _transform(S)}: resize the short side to S with
 * Pillow's bicubic (long side {@code int(S * long / short)}), center-crop S x S, then normalise to a CHW float tensor.
 */
public final class FramePreprocessor {

    private final int size;
    private final BicubicResize resize;
    private final CenterCrop crop;
    private final ClipNormalize normalize;

    /** Creates a pipeline for model input resolution {@code size} (224 for released CLIP models). */
    public FramePreprocessor(int size, BicubicResize resize, CenterCrop crop, ClipNormalize normalize) {
        if (size <= 0) {
            throw new IllegalArgumentException("input resolution must be positive, got " + size);
        }
        this.size = size;
        this.resize = Objects.requireNonNull(resize, "resize");
        this.crop = Objects.requireNonNull(crop, "crop");
        this.normalize = Objects.requireNonNull(normalize, "normalize");
    }

    /** Creates the standard pipeline for model input resolution {@code size}. */
    public FramePreprocessor(int size) {
        this(size, new BicubicResize(), new CenterCrop(), new ClipNormalize());
    }

    /** Returns the model input resolution S. */
    public int size() {
        return size;
    }

    /** Returns the number of floats one frame occupies: {@code 3 * S * S}. */
    public int frameLength() {
        return 3 * size * size;
    }

    /**
     * torchvision {@code Resize(int)}: the short side becomes S and the long side {@code int(S * long / short)}, with
     * the product taken before the float division as Python does; a square image counts as width-short.
     */
    public static int[] resizedSize(int width, int height, int size) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image dimensions must be positive, got " + width + "x" + height);
        }
        if (width <= height) {
            return new int[] {size, (int) ((double) ((long) size * height) / width)};
        }
        return new int[] {(int) ((double) ((long) size * width) / height), size};
    }

    /** Returns the S x S RGB frame after resize and crop, before normalisation (what {@code ToTensor} would see). */
    public RgbImage resizeAndCrop(RgbImage frame) {
        Objects.requireNonNull(frame, "frame");
        int[] target = resizedSize(frame.width(), frame.height(), size);
        return crop.crop(resize.resize(frame, target[0], target[1]), size);
    }

    /** Returns the model input for {@code frame}: {@code 3 * S * S} floats, CHW, channels R, G, B. */
    public float[] preprocess(RgbImage frame) {
        return normalize.normalize(resizeAndCrop(frame));
    }

    /** Writes the model input for {@code frame} into {@code out} at {@code offset}. */
    public void preprocessInto(RgbImage frame, float[] out, int offset) {
        normalize.normalizeInto(resizeAndCrop(frame), out, offset);
    }

    /** Returns the batch tensor {@code [N, 3, S, S]} of {@code frames}, flattened in C order. */
    public float[] toTensor(List<RgbImage> frames) {
        Objects.requireNonNull(frames, "frames");
        int frameLength = frameLength();
        float[] out = new float[Math.multiplyExact(frames.size(), frameLength)];
        for (int i = 0; i < frames.size(); i++) {
            preprocessInto(frames.get(i), out, i * frameLength);
        }
        return out;
    }
}
