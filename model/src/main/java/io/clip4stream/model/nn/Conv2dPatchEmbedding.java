package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/** {@code conv1}: Conv2d(3, width, kernel p, stride p, no bias), frame by frame. */
public final class Conv2dPatchEmbedding implements PatchEmbedding {

    private final NDArray conv1;
    private final Shape stride;

    /** Creates the embedding from {@code clip.visual.conv1.weight} {@code [width, 3, p, p]}. */
    public Conv2dPatchEmbedding(NDArray conv1) {
        this.conv1 = conv1;
        long patch = conv1.getShape().get(3);
        this.stride = new Shape(patch, patch);
    }

    @Override
    public NDArray embed(NDArray frames, int framesPerClip) {
        return Conv2d.conv2d(frames, conv1, null, stride, new Shape(0, 0), new Shape(1, 1), 1)
                .singletonOrThrow();
    }
}
