package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv3d;

/**
 * {@code conv2}: Conv3d(3, width, kernel (3, p, p), stride (1, p, p), padding (1, 0, 0), no bias) over each clip, so a
 * frame's patches also see the previous and next frame; the clip is zero-padded by one frame at each end, and padded
 * (all-zero) tail frames of a clip take part in the neighbourhood of its last real frame, as in the original.
 */
public final class Conv3dPatchEmbedding implements PatchEmbedding {

    private final NDArray conv2;
    private final Shape stride;

    /** Creates the embedding from {@code clip.visual.conv2.weight} {@code [width, 3, 3, p, p]}. */
    public Conv3dPatchEmbedding(NDArray conv2) {
        this.conv2 = conv2;
        long patch = conv2.getShape().get(4);
        this.stride = new Shape(1, patch, patch);
    }

    @Override
    public NDArray embed(NDArray frames, int framesPerClip) {
        Shape shape = frames.getShape();
        long clips = shape.get(0) / framesPerClip;
        if (clips * framesPerClip != shape.get(0)) {
            throw new IllegalArgumentException(
                    shape.get(0) + " frames are not whole clips of " + framesPerClip + " frames (3D patch)");
        }
        // [clips·T, 3, S, S] -> [clips, 3, T, S, S]: Conv3d wants time as the first spatial axis.
        NDArray clipsFirst = frames.reshape(clips, framesPerClip, shape.get(1), shape.get(2), shape.get(3))
                .transpose(0, 2, 1, 3, 4);
        NDArray patches = Conv3d.conv3d(clipsFirst, conv2, null, stride, new Shape(1, 0, 0), new Shape(1, 1, 1), 1)
                .singletonOrThrow();
        // [clips, width, T, g, g] -> [clips·T, width, g, g]
        Shape out = patches.getShape();
        return patches.transpose(0, 2, 1, 3, 4).reshape(clips * framesPerClip, out.get(1), out.get(3), out.get(4));
    }
}
