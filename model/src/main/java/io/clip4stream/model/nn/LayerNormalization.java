package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

/**
 * LayerNorm over the last axis with the biased variance, {@code gamma * (x - mean) / sqrt(var + eps) + beta}.
 *
 * <p>The epsilon is part of the block, not a detail: CLIP's blocks use 1e-5 and CLIP4Clip's own transformers 1e-12, and
 * mixing them up is measurable (see the parity fixture's sensitivity table).
 */
public final class LayerNormalization {

    private final NDArray gamma;
    private final NDArray beta;
    private final float eps;
    private final Shape normalizedShape;

    /** Creates the block from its weight (gamma), bias (beta) and epsilon. */
    public LayerNormalization(NDArray gamma, NDArray beta, float eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
        this.normalizedShape = gamma.getShape();
    }

    /** Binds {@code prefix.weight} and {@code prefix.bias}. */
    public static LayerNormalization load(ParameterSource weights, String prefix, float eps) {
        return new LayerNormalization(weights.tensor(prefix + ".weight"), weights.tensor(prefix + ".bias"), eps);
    }

    /** Normalises every vector along the last axis of {@code x}. */
    public NDArray forward(NDArray x) {
        return LayerNorm.layerNorm(x, normalizedShape, gamma, beta, eps).singletonOrThrow();
    }
}
