package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** CLIP's activation {@code x · sigmoid(1.702 · x)}; not the erf or tanh GELU, which CLIP4Clip never uses. */
public final class QuickGelu {

    private static final float SLOPE = 1.702f;

    private QuickGelu() {}

    /** Applies QuickGELU element-wise. */
    public static NDArray apply(NDArray x) {
        // In place on the sigmoid's fresh array (one allocation fewer); a * b == b * a exactly in IEEE arithmetic.
        return Activation.sigmoid(x.mul(SLOPE)).muli(x);
    }

    /**
     * Applies QuickGELU for training: the sigmoid's backward reads the sigmoid's output, so it must not be overwritten
     * as {@link #apply} does.
     */
    public static NDArray applyForTraining(NDArray x) {
        return Activation.sigmoid(x.mul(SLOPE)).mul(x);
    }
}
