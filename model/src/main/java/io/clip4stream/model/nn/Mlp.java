package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;

/** The block's feed-forward part, {@code c_proj(QuickGELU(c_fc(x)))} with a 4x hidden width. */
public final class Mlp {

    private final LinearLayer cFc;
    private final LinearLayer cProj;
    private final boolean forTraining;

    /** Creates the MLP from its two linear layers for inference. */
    public Mlp(LinearLayer cFc, LinearLayer cProj) {
        this(cFc, cProj, false);
    }

    /** Creates the MLP from its two linear layers, for training when {@code forTraining}. */
    public Mlp(LinearLayer cFc, LinearLayer cProj, boolean forTraining) {
        this.cFc = cFc;
        this.cProj = cProj;
        this.forTraining = forTraining;
    }

    /** Binds {@code prefix.c_fc.*} and {@code prefix.c_proj.*}. */
    public static Mlp load(ParameterSource weights, String prefix) {
        return new Mlp(
                LinearLayer.load(weights, prefix + ".c_fc"),
                LinearLayer.load(weights, prefix + ".c_proj"),
                weights.forTraining());
    }

    /** Applies the MLP to every token. */
    public NDArray forward(NDArray x) {
        NDArray hidden = cFc.forward(x);
        return cProj.forward(forTraining ? QuickGelu.applyForTraining(hidden) : QuickGelu.apply(hidden));
    }
}
