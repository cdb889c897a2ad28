package io.clip4stream.model.spec;

/**
 * The CLIP ViT frame encoder.
 *
 * @param transformer the visual transformer (width = {@code visual.conv1.weight.shape[0]}, heads = width / 64)
 * @param patchSize {@code visual.conv1.weight.shape[-1]}
 * @param grid patches per side, {@code round(sqrt(visual.positional_embedding.shape[0] - 1))}
 * @param embedDim output dimension, {@code visual.proj.shape[1]}
 * @param linearPatch 2D or 3D patch embedding
 */
public record VisionSpec(TransformerSpec transformer, int patchSize, int grid, int embedDim, LinearPatch linearPatch) {

    /** Validates the shape. */
    public VisionSpec {
        if (patchSize <= 0 || grid <= 0 || embedDim <= 0) {
            throw new IllegalArgumentException(
                    "invalid vision spec: patch " + patchSize + ", grid " + grid + ", embed dim " + embedDim);
        }
    }

    /** Returns the input image side in pixels (patch x grid; 224 for ViT-B/32 and B/16). */
    public int imageSize() {
        return patchSize * grid;
    }

    /** Returns the number of tokens per frame: grid squared patches plus the class token. */
    public int tokens() {
        return grid * grid + 1;
    }

    /** Returns the vision width. */
    public int width() {
        return transformer.width();
    }
}
