package io.clip4stream.model.spec;

/**
 * The seqTransf temporal module.
 *
 * @param positionRows rows of {@code frame_position_embeddings} (CLIP's context length, 77); bounds max_frames
 * @param transformer {@code transformerClip}: text width, text heads, cross layers, LayerNorm eps 1e-12
 */
public record SeqTransfSpec(int positionRows, TransformerSpec transformer) {}
