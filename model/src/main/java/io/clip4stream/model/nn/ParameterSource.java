package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;

/** Supplies the network's weights by CLIP4Clip state-dict name, as float32 NDArrays owned by the model. */
@FunctionalInterface
public interface ParameterSource {

    /** Returns the weight called {@code name} with its checkpoint shape. */
    NDArray tensor(String name);

    /**
     * Returns whether the network is bound for training (autograd records it), so blocks must keep every intermediate
     * that a backward pass reads instead of overwriting it in place.
     */
    default boolean forTraining() {
        return false;
    }
}
