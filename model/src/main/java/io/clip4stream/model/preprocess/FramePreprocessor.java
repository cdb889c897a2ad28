package io.clip4stream.model.preprocess;

import io.clip4stream.model.spec.Preprocessing;
import java.util.List;
import java.util.Objects;

/**
 * The one frame pipeline of the system: resize the short side to R with Pillow's bicubic or bilinear (long side
 * {@code int(R * long / short)}), center-crop S x S, then normalise to a CHW float tensor. With R = S and bicubic (the
 * default) it is identical to CLIP4Clip's {@code _transform(S)}; a model's recorded {@link Preprocessing} may say
 * otherwise (MMAction2's CLIP4Clip: R = 256, bilinear, S = 224).
 */
public final class FramePreprocessor {

    private final int resizeSize;
    private final int size;
    private final PillowResize resize;
    private final CenterCrop crop;
    private final ClipNormalize normalize;

    /** Creates the pipeline that {@code preprocessing} describes. */
    public FramePreprocessor(Preprocessing preprocessing) {
        Objects.requireNonNull(preprocessing, "preprocessing");
        this.resizeSize = preprocessing.resizeSize();
        this.size = preprocessing.cropSize();
        this.resize = switch (preprocessing.interpolation()) {
            case "bicubic" -> PillowResize.bicubic();
            case "bilinear" -> PillowResize.bilinear();
            // Preprocessing validates the name, so another one here means the two lists drifted apart.
            default ->
                throw new IllegalArgumentException("unsupported interpolation '" + preprocessing.interpolation()
                        + "' in " + preprocessing.describe());
        };
        this.crop = new CenterCrop();
        this.normalize = new ClipNormalize();
    }

    /** Creates CLIP's pipeline for model input resolution {@code size} (224 for released CLIP models). */
    public FramePreprocessor(int size) {
        this(clip(size));
    }

    private static Preprocessing clip(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("input resolution must be positive, got " + size);
        }
        return Preprocessing.clip(size);
    }

    /** Returns the model input resolution S. */
    public int size() {
        return size;
    }

    /** Returns the short side R that frames are resized to before the crop. */
    public int resizeSize() {
        return resizeSize;
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
        int[] target = resizedSize(frame.width(), frame.height(), resizeSize);
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
