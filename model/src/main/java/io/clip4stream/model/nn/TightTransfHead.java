package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.Dropout;
import io.clip4stream.model.spec.TightTransfSpec;

/**
 * tightTransf: for every (text, clip) pair, the sequence [text embedding; frame embeddings] (both un-normalised) plus
 * position embeddings 0..T goes through {@code cross.transformer} with padded frames masked as keys; the pooler takes
 * {@code ln_pool} of the text slot (token 0), {@code dense} and QuickGELU, and {@code similarity_dense} gives the logit.
 *
 * <p>As in the released code (not the paper), there is no token-type embedding, no embedding LayerNorm, and the pooler
 * activation is QuickGELU, not tanh.
 */
public final class TightTransfHead {

    private final NDArray positions;
    private final Transformer crossTransformer;
    private final LayerNormalization lnPool;
    private final LinearLayer dense;
    private final LinearLayer similarityDense;

    /** Creates the head from its parts. */
    public TightTransfHead(
            NDArray positions,
            Transformer crossTransformer,
            LayerNormalization lnPool,
            LinearLayer dense,
            LinearLayer similarityDense) {
        this.positions = positions;
        this.crossTransformer = crossTransformer;
        this.lnPool = lnPool;
        this.dense = dense;
        this.similarityDense = similarityDense;
    }

    /** Binds {@code cross.*} and {@code similarity_dense.*}. */
    public static TightTransfHead load(ParameterSource weights, TightTransfSpec spec) {
        return new TightTransfHead(
                weights.tensor("cross.embeddings.position_embeddings.weight"),
                Transformer.load(weights, "cross.transformer", spec.transformer()),
                LayerNormalization.load(
                        weights, "cross.pooler.ln_pool", spec.transformer().layerNormEps()),
                LinearLayer.load(weights, "cross.pooler.dense"),
                LinearLayer.load(weights, "similarity_dense"));
    }

    /**
     * Scores every text against every clip: {@code texts} {@code [Bt, D]} (raw EOT embeddings), {@code frames}
     * {@code [Bv, T, D]} (raw frame embeddings), {@code validFrames} {@code [Bv, T]}.
     */
    public TightOutput score(NDArray texts, NDArray frames, NDArray validFrames) {
        PairSequence pairs = pairs(texts, frames, validFrames);
        // The pooler reads the text slot (token 0) only, so the last block computes that row alone (its keys and
        // values still come from every token): about a fifth of the head's work at 4 layers, same logits.
        NDArray hidden = crossTransformer.forwardFirstTokens(pairs.sequence(), pairs.mask(), 1);
        NDArray pooled = QuickGelu.apply(dense.forward(lnPool.forward(hidden).get(new NDIndex(":, 0, :"))));
        long textCount = texts.getShape().get(0);
        long clipCount = frames.getShape().get(0);
        NDArray logits = similarityDense.forward(pooled).reshape(textCount, clipCount);
        return new TightOutput(
                logits, pooled.reshape(textCount, clipCount, pooled.getShape().get(1)));
    }

    /**
     * The training-mode logits {@code [Bt, Bv]}: as {@link #score} with dropout of rate {@code embeddingDropout} on the
     * cross embeddings (the original's {@code CrossEmbeddings.dropout}, 0.1 in training; the only dropout CLIP4Clip
     * applies).
     */
    public NDArray trainingLogits(NDArray texts, NDArray frames, NDArray validFrames, float embeddingDropout) {
        PairSequence pairs = pairs(texts, frames, validFrames);
        NDArray sequence = embeddingDropout > 0
                ? Dropout.dropout(pairs.sequence(), embeddingDropout, true).singletonOrThrow()
                : pairs.sequence();
        NDArray hidden = crossTransformer.forwardFirstTokens(sequence, pairs.mask(), 1);
        NDArray pooled =
                QuickGelu.applyForTraining(dense.forward(lnPool.forward(hidden).get(new NDIndex(":, 0, :"))));
        return similarityDense
                .forward(pooled)
                .reshape(texts.getShape().get(0), frames.getShape().get(0));
    }

    private record PairSequence(NDArray sequence, AttentionMask mask) {}

    /** Builds every (text, clip) pair's input sequence and key mask. */
    private PairSequence pairs(NDArray texts, NDArray frames, NDArray validFrames) {
        NDManager scope = frames.getManager();
        long textCount = texts.getShape().get(0);
        long clipCount = frames.getShape().get(0);
        long length = frames.getShape().get(1);
        long dim = frames.getShape().get(2);
        long pairs = textCount * clipCount;

        // Pair p = text i · clipCount + clip j, as the original's repeat/view order.
        NDArray textSlots =
                texts.reshape(textCount, 1, 1, dim).repeat(1, clipCount).reshape(pairs, 1, dim);
        NDArray frameSlots = frames.expandDims(0).repeat(0, textCount).reshape(pairs, length, dim);
        NDArray sequence = NDArrays.concat(new NDList(textSlots, frameSlots), 1)
                .add(positions.get(scope, new NDIndex("0:{}", length + 1)));

        NDArray textAlwaysValid = scope.ones(new Shape(pairs, 1));
        NDArray pairFrameMask = validFrames.expandDims(0).repeat(0, textCount).reshape(pairs, length);
        NDArray valid = NDArrays.concat(new NDList(textAlwaysValid, pairFrameMask), 1);
        return new PairSequence(sequence, AttentionMask.keyPadding(valid));
    }
}
