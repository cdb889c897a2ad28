package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import io.clip4stream.model.spec.TransformerSpec;
import java.util.ArrayList;
import java.util.List;

/** A stack of residual attention blocks sharing one mask. */
public final class Transformer {

    private final List<ResidualAttentionBlock> blocks;

    /** Creates the stack from its blocks, applied in order. */
    public Transformer(List<ResidualAttentionBlock> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /** Binds {@code prefix.resblocks.0 .. layers-1}. */
    public static Transformer load(ParameterSource weights, String prefix, TransformerSpec spec) {
        List<ResidualAttentionBlock> blocks = new ArrayList<>();
        for (int i = 0; i < spec.layers(); i++) {
            blocks.add(ResidualAttentionBlock.load(weights, prefix + ".resblocks." + i, spec));
        }
        return new Transformer(blocks);
    }

    /** Runs every block over {@code x} ({@code [batch, tokens, width]}). */
    public NDArray forward(NDArray x, AttentionMask mask) {
        NDArray hidden = x;
        for (ResidualAttentionBlock block : blocks) {
            hidden = block.forward(hidden, mask);
        }
        return hidden;
    }
}
