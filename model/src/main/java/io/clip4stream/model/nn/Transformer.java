package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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

    /**
     * Runs every block over {@code x} ({@code [batch, tokens, width]}); the result belongs to {@code x}'s manager.
     *
     * <p>Each block runs in its own sub-manager that is closed as soon as the block's output has been moved out, so
     * only one block's intermediates are alive at a time. Without this a call keeps every intermediate of every block
     * until its manager closes (by count of arrays, about 740 MB for 16 ViT-B/32 frames), and each call writes to that much cold memory.
     */
    public NDArray forward(NDArray x, AttentionMask mask) {
        return run(x, mask, 0);
    }

    /**
     * The first {@code tokens} rows of {@link #forward}'s output ({@code [batch, tokens, width]}): the last block
     * computes only those rows' queries and MLP (earlier blocks need every row, as later keys and values). Exact up
     * to float rounding for a query-independent mask (none, key padding); the tight head reads token 0 only.
     */
    public NDArray forwardFirstTokens(NDArray x, AttentionMask mask, int tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("at least one token must be kept; was " + tokens);
        }
        return run(x, mask, tokens);
    }

    /** Runs the blocks; {@code lastBlockTokens} > 0 keeps only that many leading rows in the last block. */
    private NDArray run(NDArray x, AttentionMask mask, int lastBlockTokens) {
        NDManager owner = x.getManager();
        NDArray hidden = x;
        for (int i = 0; i < blocks.size(); i++) {
            ResidualAttentionBlock block = blocks.get(i);
            try (NDManager layer = owner.newSubManager()) {
                if (hidden == x) {
                    x.tempAttach(layer); // back to the caller's manager when the layer closes
                } else {
                    hidden.attach(layer); // the previous block's output: freed with this layer
                }
                NDArray output = lastBlockTokens > 0 && i == blocks.size() - 1
                        ? block.forwardFirstTokens(hidden, mask, lastBlockTokens)
                        : block.forward(hidden, mask);
                output.attach(owner);
                hidden = output;
            }
        }
        return blocks.isEmpty() && lastBlockTokens > 0 ? x.get(new NDIndex(":, 0:{}, :", lastBlockTokens)) : hidden;
    }
}
