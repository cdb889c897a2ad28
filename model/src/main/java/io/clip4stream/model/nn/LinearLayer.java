package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/** {@code nn.Linear}: {@code x · weightᵀ + bias} with PyTorch's {@code [out, in]} weight layout. */
public final class LinearLayer {

    private final NDArray weight;
    private final NDArray bias;

    /** Creates the layer from a {@code [out, in]} weight and an {@code [out]} bias. */
    public LinearLayer(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    /** Binds {@code prefix.weight} and {@code prefix.bias}. */
    public static LinearLayer load(ParameterSource weights, String prefix) {
        return new LinearLayer(weights.tensor(prefix + ".weight"), weights.tensor(prefix + ".bias"));
    }

    /** Applies the layer to the last axis of {@code x}. */
    public NDArray forward(NDArray x) {
        return Linear.linear(x, weight, bias).singletonOrThrow();
    }
}
