package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import io.clip4stream.model.spec.SeqTransfSpec;

/**
 * seqTransf: add frame positions, run {@code transformerClip} with padded frames masked as keys, add the original frame
 * embeddings back (residual), then {@link MaskedMeanPooling}.
 */
public final class SeqTransfHead implements LooseHead {

    private final NDArray framePositions;
    private final Transformer transformerClip;

    /** Creates the head from {@code frame_position_embeddings.weight} and {@code transformerClip}. */
    public SeqTransfHead(NDArray framePositions, Transformer transformerClip) {
        this.framePositions = framePositions;
        this.transformerClip = transformerClip;
    }

    /** Binds {@code frame_position_embeddings.weight} and {@code transformerClip.resblocks.*}. */
    public static SeqTransfHead load(ParameterSource weights, SeqTransfSpec spec) {
        return new SeqTransfHead(
                weights.tensor("frame_position_embeddings.weight"),
                Transformer.load(weights, "transformerClip", spec.transformer()));
    }

    /** Returns {@code transformerClip(frames + positions)} before the residual, {@code [clips, T, D]}. */
    public NDArray temporal(NDArray frames, NDArray validFrames) {
        long length = frames.getShape().get(1);
        NDArray positions = framePositions.get(frames.getManager(), new NDIndex("0:{}", length));
        return transformerClip.forward(frames.add(positions), AttentionMask.keyPadding(validFrames));
    }

    @Override
    public NDArray aggregate(NDArray frames, NDArray validFrames) {
        return MaskedMeanPooling.pool(temporal(frames, validFrames).add(frames), validFrames);
    }
}
