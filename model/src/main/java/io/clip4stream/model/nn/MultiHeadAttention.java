package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;

/**
 * Self-attention exactly as {@code torch.nn.MultiheadAttention} in eval mode (the path CLIP takes).
 *
 * <p>{@code [q; k; v] = x · in_proj_weightᵀ + in_proj_bias} with q, k, v the three row blocks of the packed weight; each
 * is split into heads of contiguous dimensions; {@code q} is divided by {@code sqrt(head_dim)} before {@code q·kᵀ};
 * the heads are concatenated and projected by {@code out_proj}.
 */
public final class MultiHeadAttention {

    private final NDArray inProjWeight;
    private final NDArray inProjBias;
    private final LinearLayer outProj;
    private final int heads;

    /** Creates the block from the packed {@code [3W, W]} projection, its bias, the output projection and head count. */
    public MultiHeadAttention(NDArray inProjWeight, NDArray inProjBias, LinearLayer outProj, int heads) {
        this.inProjWeight = inProjWeight;
        this.inProjBias = inProjBias;
        this.outProj = outProj;
        this.heads = heads;
    }

    /** Binds {@code prefix.in_proj_weight}, {@code prefix.in_proj_bias} and {@code prefix.out_proj.*}. */
    public static MultiHeadAttention load(ParameterSource weights, String prefix, int heads) {
        return new MultiHeadAttention(
                weights.tensor(prefix + ".in_proj_weight"),
                weights.tensor(prefix + ".in_proj_bias"),
                LinearLayer.load(weights, prefix + ".out_proj"),
                heads);
    }

    /** Attends over the tokens of {@code x} ({@code [batch, tokens, width]}) under {@code mask}. */
    public NDArray forward(NDArray x, AttentionMask mask) {
        long batch = x.getShape().get(0);
        long tokens = x.getShape().get(1);
        long width = x.getShape().get(2);
        long headDim = width / heads;

        NDList qkv =
                Linear.linear(x, inProjWeight, inProjBias).singletonOrThrow().split(3, 2);
        // PyTorch divides q by sqrt(head_dim) (a float32 scalar) rather than multiplying by its inverse.
        NDArray q = splitHeads(qkv.get(0), batch, tokens, headDim).div((float) Math.sqrt(headDim));
        NDArray k = splitHeads(qkv.get(1), batch, tokens, headDim);
        NDArray v = splitHeads(qkv.get(2), batch, tokens, headDim);

        NDArray attention = mask.addTo(q.matMul(k.swapAxes(2, 3))).softmax(3);
        NDArray merged = attention.matMul(v).swapAxes(1, 2).reshape(batch, tokens, width);
        return outProj.forward(merged);
    }

    /**
     * The outputs of only the first {@code queries} tokens of {@code x}, attending over all of its tokens: the same
     * values as the first rows of {@link #forward} (up to float rounding) for a mask that does not depend on the
     * query (none, or key padding), at a fraction of the work when a head reads only those rows.
     *
     * @throws IllegalArgumentException for a mask that differs between queries (causal)
     */
    public NDArray forwardFirstQueries(NDArray x, AttentionMask mask, long queries) {
        if (mask instanceof AttentionMask.Additive additive
                && !(additive.values().getShape().dimension() == 4
                        && additive.values().getShape().get(2) == 1)) {
            throw new IllegalArgumentException(
                    "only query-independent masks (none, key padding) allow fewer queries; run forward()");
        }
        NDManager scope = x.getManager();
        long batch = x.getShape().get(0);
        long tokens = x.getShape().get(1);
        long width = x.getShape().get(2);
        long headDim = width / heads;

        // Rows [0, W) of the packed projection make q, rows [W, 3W) make k and v; slices are views of the weights,
        // owned by the caller's scope so they are freed with it.
        NDArray qWeight = inProjWeight.get(scope, new NDIndex("0:{}", width));
        NDArray qBias = inProjBias.get(scope, new NDIndex("0:{}", width));
        NDArray kvWeight = inProjWeight.get(scope, new NDIndex("{}:", width));
        NDArray kvBias = inProjBias.get(scope, new NDIndex("{}:", width));
        NDArray firstTokens = x.get(new NDIndex(":, 0:{}, :", queries));

        NDArray q = splitHeads(Linear.linear(firstTokens, qWeight, qBias).singletonOrThrow(), batch, queries, headDim)
                .div((float) Math.sqrt(headDim));
        NDList kv = Linear.linear(x, kvWeight, kvBias).singletonOrThrow().split(2, 2);
        NDArray k = splitHeads(kv.get(0), batch, tokens, headDim);
        NDArray v = splitHeads(kv.get(1), batch, tokens, headDim);

        NDArray attention = mask.addTo(q.matMul(k.swapAxes(2, 3))).softmax(3);
        NDArray merged = attention.matMul(v).swapAxes(1, 2).reshape(batch, queries, width);
        return outProj.forward(merged);
    }

    /** {@code [batch, tokens, width]} to {@code [batch, heads, tokens, headDim]}; head h owns dims [h·d, (h+1)·d). */
    private NDArray splitHeads(NDArray x, long batch, long tokens, long headDim) {
        return x.reshape(batch, tokens, heads, headDim).swapAxes(1, 2);
    }
}
