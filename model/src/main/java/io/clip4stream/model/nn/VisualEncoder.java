package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.VisionSpec;

/**
 * CLIP's ViT applied to every frame: patches, class token first, positions, {@code ln_pre}, the blocks, then
 * {@code ln_post} and {@code proj} on the class token, which is the frame embedding.
 */
public final class VisualEncoder {

    private final PatchEmbedding patchEmbedding;
    private final NDArray classEmbedding;
    private final NDArray positionalEmbedding;
    private final LayerNormalization lnPre;
    private final Transformer transformer;
    private final LayerNormalization lnPost;
    private final NDArray proj;

    /** Creates the encoder from its parts; {@code proj} is {@code [width, D]} and right-multiplied. */
    public VisualEncoder(
            PatchEmbedding patchEmbedding,
            NDArray classEmbedding,
            NDArray positionalEmbedding,
            LayerNormalization lnPre,
            Transformer transformer,
            LayerNormalization lnPost,
            NDArray proj) {
        this.patchEmbedding = patchEmbedding;
        this.classEmbedding = classEmbedding;
        this.positionalEmbedding = positionalEmbedding;
        this.lnPre = lnPre;
        this.transformer = transformer;
        this.lnPost = lnPost;
        this.proj = proj;
    }

    /** Binds the {@code clip.visual.*} weights. */
    public static VisualEncoder load(ParameterSource weights, VisionSpec spec) {
        float eps = spec.transformer().layerNormEps();
        PatchEmbedding patches = spec.linearPatch() == LinearPatch.THREE_D
                ? new Conv3dPatchEmbedding(weights.tensor("clip.visual.conv2.weight"))
                : new Conv2dPatchEmbedding(weights.tensor("clip.visual.conv1.weight"));
        return new VisualEncoder(
                patches,
                weights.tensor("clip.visual.class_embedding"),
                weights.tensor("clip.visual.positional_embedding"),
                LayerNormalization.load(weights, "clip.visual.ln_pre", eps),
                Transformer.load(weights, "clip.visual.transformer", spec.transformer()),
                LayerNormalization.load(weights, "clip.visual.ln_post", eps),
                weights.tensor("clip.visual.proj"));
    }

    /**
     * Encodes {@code frames} ({@code [clips · T, 3, S, S]}, normalised pixels) holding whole clips of
     * {@code framesPerClip} frames.
     */
    public VisualOutput forward(NDArray frames, int framesPerClip) {
        NDArray patches = patchEmbedding.embed(frames, framesPerClip);
        Shape shape = patches.getShape();
        long count = shape.get(0);
        long width = shape.get(1);
        // [N, width, g, g] -> [N, g·g, width]: patch index = row · g + column.
        NDArray patchTokens =
                patches.reshape(count, width, shape.get(2) * shape.get(3)).swapAxes(1, 2);
        NDArray classToken =
                patchTokens.getManager().zeros(new Shape(count, 1, width)).add(classEmbedding);
        NDArray tokens = NDArrays.concat(new NDList(classToken, patchTokens), 1).add(positionalEmbedding);

        NDArray hidden = transformer.forward(lnPre.forward(tokens), AttentionMask.none());

        NDArray classOut = hidden.get(new NDIndex(":, 0, :"));
        NDArray embeddings = lnPost.forward(classOut).matMul(proj);
        return new VisualOutput(embeddings, classOut);
    }
}
