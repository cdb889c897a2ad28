package io.clip4stream.model.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How frames were prepared when a checkpoint was trained ({@code config.json}'s {@code preprocessing}): the frame's
 * short side is resized to {@code resizeSize} with {@code interpolation}, then a centre {@code cropSize} square is cut
 * and normalised with {@code normalize}'s mean and standard deviation.
 *
 * <p>CLIP and CLIP4Clip resize to the input resolution with bicubic interpolation, then crop the same size (the
 * default when config.json has no {@code preprocessing}); MMAction2's CLIP4Clip resizes the short side to 256
 * (bilinear) and crops 224.
 *
 * @param resizeSize the short side after resizing
 * @param interpolation {@code bicubic} or {@code bilinear}
 * @param cropSize the side of the centre crop, the model's input resolution
 * @param normalize the normalisation, {@code clip} (CLIP's mean and std; MMAction2's 0–255 values are these × 255)
 */
public record Preprocessing(int resizeSize, String interpolation, int cropSize, String normalize) {

    private static final Set<String> INTERPOLATIONS = Set.of("bicubic", "bilinear");

    /** Validates the fields. */
    public Preprocessing {
        Objects.requireNonNull(interpolation, "interpolation");
        Objects.requireNonNull(normalize, "normalize");
        List<String> problems = new ArrayList<>();
        if (cropSize <= 0 || resizeSize < cropSize) {
            problems.add("resize_size " + resizeSize + " must be at least crop_size " + cropSize + " (and positive)");
        }
        if (!INTERPOLATIONS.contains(interpolation)) {
            problems.add("interpolation '" + interpolation + "' must be bicubic or bilinear");
        }
        if (!normalize.equals("clip")) {
            problems.add("normalize '" + normalize + "' must be clip");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid preprocessing: " + String.join("; ", problems));
        }
    }

    /** CLIP's and CLIP4Clip's own: bicubic resize of the short side to {@code size}, centre crop {@code size}. */
    public static Preprocessing clip(int size) {
        return new Preprocessing(size, "bicubic", size, "clip");
    }

    /** Returns whether this is what the services' frame pipeline does for input resolution {@code size}. */
    public boolean isClipDefault(int size) {
        return equals(clip(size));
    }

    /** Returns a short description, e.g. {@code short side 256 (bilinear), centre crop 224, CLIP mean/std}. */
    public String describe() {
        return "short side " + resizeSize + " (" + interpolation + "), centre crop " + cropSize + ", CLIP mean/std";
    }
}
