package io.clip4stream.model.spec;

/**
 * The tightTransf cross encoder.
 *
 * @param positionRows rows of {@code cross.embeddings.position_embeddings} (CLIP's context length, 77); bounds 1 + T
 * @param transformer {@code cross.transformer}: cross hidden size, hidden / 64 heads, cross layers, eps 1e-12
 */
public record TightTransfSpec(int positionRows, TransformerSpec transformer) {}
