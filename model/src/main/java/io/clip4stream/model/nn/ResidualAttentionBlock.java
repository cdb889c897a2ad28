package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.clip4stream.model.spec.TransformerSpec;

/** CLIP's pre-LN block: {@code y = x + attn(ln_1(x))}, {@code z = y + mlp(ln_2(y))}. */
public final class ResidualAttentionBlock {

    private final LayerNormalization ln1;
    private final MultiHeadAttention attention;
    private final LayerNormalization ln2;
    private final Mlp mlp;

    /** Creates the block from its parts. */
    public ResidualAttentionBlock(
            LayerNormalization ln1, MultiHeadAttention attention, LayerNormalization ln2, Mlp mlp) {
        this.ln1 = ln1;
        this.attention = attention;
        this.ln2 = ln2;
        this.mlp = mlp;
    }

    /** Binds {@code prefix.ln_1}, {@code prefix.attn}, {@code prefix.ln_2} and {@code prefix.mlp}. */
    public static ResidualAttentionBlock load(ParameterSource weights, String prefix, TransformerSpec spec) {
        return new ResidualAttentionBlock(
                LayerNormalization.load(weights, prefix + ".ln_1", spec.layerNormEps()),
                MultiHeadAttention.load(weights, prefix + ".attn", spec.heads()),
                LayerNormalization.load(weights, prefix + ".ln_2", spec.layerNormEps()),
                Mlp.load(weights, prefix + ".mlp"));
    }

    /** Transforms {@code x} ({@code [batch, tokens, width]}). */
    public NDArray forward(NDArray x, AttentionMask mask) {
        // Residuals added in place into the branch outputs (fresh arrays): x + a == a + x exactly, one allocation
        // fewer.
        NDArray y = attention.forward(ln1.forward(x), mask).addi(x);
        return mlp.forward(ln2.forward(y)).addi(y);
    }

    /**
     * The first {@code tokens} rows of {@link #forward}'s output (every token still serves as key and value), for a
     * mask that does not depend on the query: a last block whose reader takes only those rows skips the rest.
     */
    public NDArray forwardFirstTokens(NDArray x, AttentionMask mask, long tokens) {
        NDArray first = x.get(new NDIndex(":, 0:{}, :", tokens));
        NDArray y = attention.forwardFirstQueries(ln1.forward(x), mask, tokens).addi(first);
        return mlp.forward(ln2.forward(y)).addi(y);
    }
}
