package io.clip4stream.model.preprocess;

import java.util.Objects;

/**
 * torchvision's {@code ToTensor()} then {@code Normalize(CLIP mean, CLIP std)}: HWC bytes to CHW floats
 * {@code (u8 / 255f - mean) / std}, every step rounded to float32 as PyTorch does.
 */
public final class ClipNormalize {

    /** CLIP's per-channel mean (R, G, B); PyTorch turns the Python doubles into float32, so do the same. */
    private static final float[] MEAN = {(float) 0.48145466, (float) 0.4578275, (float) 0.40821073};

    /** CLIP's per-channel standard deviation (R, G, B), as float32. */
    private static final float[] STD = {(float) 0.26862954, (float) 0.26130258, (float) 0.27577711};

    /** Creates the normaliser; it holds no state. */
    public ClipNormalize() {}

    /** Returns the CHW float tensor of {@code image}: {@code 3 * height * width} values, channel planes R, G, B. */
    public float[] normalize(RgbImage image) {
        float[] out = new float[3 * image.width() * image.height()];
        normalizeInto(image, out, 0);
        return out;
    }

    /** Writes the CHW tensor of {@code image} into {@code out} starting at {@code offset}. */
    public void normalizeInto(RgbImage image, float[] out, int offset) {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(out, "out");
        int plane = image.width() * image.height();
        Objects.checkFromIndexSize(offset, 3 * plane, out.length);
        byte[] pixels = image.pixels();
        for (int c = 0; c < 3; c++) {
            float mean = MEAN[c];
            float std = STD[c];
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                float unit = (pixels[3 * i + c] & 0xFF) / 255f;
                out[base + i] = (unit - mean) / std;
            }
        }
    }
}
