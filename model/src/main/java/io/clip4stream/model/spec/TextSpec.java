package io.clip4stream.model.spec;

/**
 * The CLIP text encoder.
 *
 * @param transformer the text transformer (width = {@code ln_final.weight.shape[0]}, heads = width / 64)
 * @param vocabSize rows of {@code token_embedding.weight}
 * @param contextLength rows of the positional table ({@code positional_embedding.shape[0]}, 77 for CLIP)
 * @param embedDim output dimension, {@code text_projection.shape[1]}
 */
public record TextSpec(TransformerSpec transformer, int vocabSize, int contextLength, int embedDim) {

    /** Validates the shape. */
    public TextSpec {
        if (vocabSize <= 0 || contextLength <= 0 || embedDim <= 0) {
            throw new IllegalArgumentException(
                    "invalid text spec: vocab " + vocabSize + ", context " + contextLength + ", embed dim " + embedDim);
        }
    }

    /** Returns the text width. */
    public int width() {
        return transformer.width();
    }
}
