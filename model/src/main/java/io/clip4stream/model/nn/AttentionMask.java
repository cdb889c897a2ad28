package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** An additive mask on attention logits, {@code softmax(q·kᵀ / sqrt(d) + mask)}. */
public sealed interface AttentionMask {

    /** The value CLIP4Clip adds to padded keys: finite, so a fully padded row gets uniform attention, not NaN. */
    float PADDED_KEY = -1_000_000.0f;

    /** Adds the mask to attention logits of shape {@code [batch, heads, queries, keys]}. */
    NDArray addTo(NDArray logits);

    /** Returns a mask that lets every query see every key (the vision transformer). */
    static AttentionMask none() {
        return new None();
    }

    /** Returns CLIP's text mask for {@code length} tokens: {@code -inf} where key j is after query i. */
    static AttentionMask causal(NDManager manager, int length) {
        float[] values = new float[length * length];
        for (int query = 0; query < length; query++) {
            for (int key = query + 1; key < length; key++) {
                values[query * length + key] = Float.NEGATIVE_INFINITY;
            }
        }
        return new Additive(manager.create(values, new Shape(length, length)));
    }

    /**
     * Returns CLIP4Clip's key-padding mask {@code (1 - mask) · -1e6} for a {@code [batch, keys]} 0/1 float mask,
     * broadcast over heads and queries (padded rows still attend, and are ignored later).
     */
    static AttentionMask keyPadding(NDArray validKeys) {
        Shape shape = validKeys.getShape();
        NDArray additive = validKeys.neg().add(1f).mul(PADDED_KEY).reshape(shape.get(0), 1, 1, shape.get(1));
        return new Additive(additive);
    }

    /** No masking. */
    record None() implements AttentionMask {
        @Override
        public NDArray addTo(NDArray logits) {
            return logits;
        }
    }

    /** A mask broadcastable to the logits. */
    record Additive(NDArray values) implements AttentionMask {
        @Override
        public NDArray addTo(NDArray logits) {
            return logits.add(values);
        }
    }
}
