package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.spec.TextSpec;

/**
 * CLIP's text transformer: token plus position embeddings, causal blocks, {@code ln_final}, {@code text_projection}, and
 * the caption embedding read at the position of the largest token id (the EOT token, 49407 in CLIP's vocabulary).
 */
public final class TextEncoder {

    private final NDArray tokenEmbedding;
    private final NDArray positionalEmbedding;
    private final Transformer transformer;
    private final LayerNormalization lnFinal;
    private final NDArray textProjection;

    /** Creates the encoder from its parts; {@code textProjection} is {@code [width, D]} and right-multiplied. */
    public TextEncoder(
            NDArray tokenEmbedding,
            NDArray positionalEmbedding,
            Transformer transformer,
            LayerNormalization lnFinal,
            NDArray textProjection) {
        this.tokenEmbedding = tokenEmbedding;
        this.positionalEmbedding = positionalEmbedding;
        this.transformer = transformer;
        this.lnFinal = lnFinal;
        this.textProjection = textProjection;
    }

    /** Binds the {@code clip.*} text weights. */
    public static TextEncoder load(ParameterSource weights, TextSpec spec) {
        return new TextEncoder(
                weights.tensor("clip.token_embedding.weight"),
                weights.tensor("clip.positional_embedding"),
                Transformer.load(weights, "clip.transformer", spec.transformer()),
                LayerNormalization.load(
                        weights, "clip.ln_final", spec.transformer().layerNormEps()),
                weights.tensor("clip.text_projection"));
    }

    /**
     * Encodes {@code tokenIds} ({@code [batch][L]}, all of one length L, zero-padded after EOT) into arrays owned by
     * {@code scope}. The input mask is not an argument: the original never passes it to the text encoder, and the
     * causal mask already keeps padding after EOT from reaching the EOT position.
     */
    public TextOutput forward(NDManager scope, long[][] tokenIds) {
        int batch = tokenIds.length;
        int length = tokenIds[0].length;
        long[] flatIds = new long[batch * length];
        long[] eotRows = new long[batch];
        for (int b = 0; b < batch; b++) {
            if (tokenIds[b].length != length) {
                throw new IllegalArgumentException(
                        "token sequences differ in length: " + length + " and " + tokenIds[b].length);
            }
            System.arraycopy(tokenIds[b], 0, flatIds, b * length, length);
            eotRows[b] = (long) b * length + firstArgMax(tokenIds[b]);
        }
        NDArray ids = scope.create(flatIds, new Shape(batch, length));
        NDArray x = tokenEmbedding
                .get(scope, new NDIndex("{}", ids))
                .add(positionalEmbedding.get(scope, new NDIndex("0:{}", length)));

        x = transformer.forward(x, AttentionMask.causal(scope, length));

        NDArray hidden = lnFinal.forward(x).matMul(textProjection);
        long dim = hidden.getShape().get(2);
        NDArray eot = hidden.reshape(batch * (long) length, dim).get(new NDIndex("{}", scope.create(eotRows)));
        return new TextOutput(eot, hidden);
    }

    /** {@code torch.argmax}: the first position holding the largest id. */
    private static int firstArgMax(long[] ids) {
        int best = 0;
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] > ids[best]) {
                best = i;
            }
        }
        return best;
    }
}
