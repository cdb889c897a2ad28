package io.clip4stream.model.spec;

/**
 * Shape of a stack of CLIP residual attention blocks.
 *
 * @param width token width
 * @param layers number of blocks
 * @param heads attention heads (head dimension = width / heads)
 * @param layerNormEps LayerNorm epsilon: 1e-5 for CLIP's own blocks, 1e-12 for CLIP4Clip's added transformers
 */
public record TransformerSpec(int width, int layers, int heads, float layerNormEps) {

    /** CLIP's LayerNorm epsilon ({@code torch.nn.LayerNorm} default). */
    public static final float CLIP_LAYER_NORM_EPS = 1e-5f;

    /** The TF-style LayerNorm epsilon of CLIP4Clip's {@code until_module.LayerNorm}. */
    public static final float CLIP4CLIP_LAYER_NORM_EPS = 1e-12f;

    /** Validates the shape. */
    public TransformerSpec {
        if (width <= 0 || layers < 0 || heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException(
                    "invalid transformer: width " + width + ", layers " + layers + ", heads " + heads);
        }
    }

    /** Returns the hidden size of each block's MLP, hard-coded to 4 x width in CLIP. */
    public int mlpHidden() {
        return 4 * width;
    }

    /** Returns the per-head dimension. */
    public int headDim() {
        return width / heads;
    }
}
