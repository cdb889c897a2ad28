package io.clip4stream.model.bench;

import io.clip4stream.model.weights.TinyModelShape;

/**
 * Analytic FLOP counts of one CLIP4Clip seqTransf training step, a multiply-add counted as two FLOPs (the convention of
 * the {@code 2·n³} matmul rate they are divided by).
 *
 * <p>Only matrix products are counted; LayerNorm, softmax, activations, the loss and the optimizer are element-wise and
 * add well under 1 % at these shapes. A pre-LN block of width {@code w} over {@code n} tokens costs {@code n·(24·w² +
 * 4·n·w)} in its forward pass: {@code 6w²} per token for the q, k, v projection, {@code 2w²} for the output projection,
 * {@code 16w²} for the two MLP layers (hidden width 4w), and {@code 2·n·w} each for {@code q·kᵀ} and {@code
 * attention·v} (a causal mask still computes every product). The backward pass of a product costs two products (the
 * gradient with respect to each operand), so a trained part costs 3× its forward FLOPs; a part that needs neither a
 * weight gradient nor an input gradient (the frozen {@code conv1} on pixels under {@code freeze_layer_num = 0}) costs
 * its forward FLOPs once.
 */
public final class TrainingFlops {

    private TrainingFlops() {}

    /** Forward FLOPs of {@code layers} pre-LN blocks of width {@code width} over {@code tokens} tokens. */
    public static double transformerForward(long tokens, long width, long layers) {
        return (double) layers * tokens * (24.0 * width * width + 4.0 * tokens * width);
    }

    /**
     * Forward FLOPs of the patch embedding of one frame ({@code conv1}: {@code g²} patches of {@code 3·p²} values into
     * {@code width}).
     */
    public static double patchEmbeddingForward(TinyModelShape shape) {
        long grid = shape.imageSize() / shape.patchSize();
        return 2.0 * grid * grid * 3L * shape.patchSize() * shape.patchSize() * shape.visionWidth();
    }

    /**
     * Forward FLOPs of the visual encoder on one frame: patch embedding, the blocks over {@code g² + 1} tokens and
     * {@code proj} on the class token.
     */
    public static double visualForward(TinyModelShape shape) {
        long grid = shape.imageSize() / shape.patchSize();
        return patchEmbeddingForward(shape)
                + transformerForward(grid * grid + 1, shape.visionWidth(), shape.visionLayers())
                + 2.0 * shape.visionWidth() * shape.embedDim();
    }

    /**
     * Forward FLOPs of the text encoder on one caption of {@code maxWords} tokens: the causal blocks and {@code
     * text_projection} on every token (CLIP4Clip projects the whole sequence, then reads the EOT row).
     */
    public static double textForward(TinyModelShape shape) {
        return transformerForward(shape.maxWords(), shape.textWidth(), shape.textLayers())
                + 2.0 * shape.maxWords() * shape.textWidth() * shape.embedDim();
    }

    /** Forward FLOPs of the seqTransf head ({@code transformerClip}) on one clip of {@code frames} frames. */
    public static double headForward(TinyModelShape shape, int frames) {
        return transformerForward(frames, shape.embedDim(), shape.crossLayers());
    }

    /** FLOPs of the {@code [B, D]·[D, B]} similarity product of a batch of {@code batch} pairs. */
    public static double similarity(TinyModelShape shape, int batch) {
        return 2.0 * batch * batch * shape.embedDim();
    }

    /**
     * FLOPs of one full fine-tuning step ({@code freeze_layer_num = 0}) on {@code batch} captions and clips of {@code
     * frames} frames: 3× the forward FLOPs of everything but {@code conv1}, plus {@code conv1}'s forward once.
     */
    public static double fullStep(TinyModelShape shape, int batch, int frames) {
        double conv = (double) batch * frames * patchEmbeddingForward(shape);
        double trained = (double) batch * frames * (visualForward(shape) - patchEmbeddingForward(shape))
                + (double) batch * textForward(shape)
                + (double) batch * headForward(shape, frames)
                + similarity(shape, batch);
        return 3 * trained + conv;
    }

    /**
     * FLOPs of one head-only step on cached embeddings: 3× the forward FLOPs of the head and the similarity (the input
     * gradient is needed too, since {@code frame_position_embeddings} is added at the input and trains).
     */
    public static double headStep(TinyModelShape shape, int batch, int frames) {
        return 3 * ((double) batch * headForward(shape, frames) + similarity(shape, batch));
    }
}
