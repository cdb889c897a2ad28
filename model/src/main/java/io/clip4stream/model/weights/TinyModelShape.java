package io.clip4stream.model.weights;

import io.clip4stream.model.spec.LinearPatch;
import io.clip4stream.model.spec.SimilarityHead;

/**
 * The size of a generated model; every width must be a multiple of 64 (CLIP's head width).
 *
 * @param visionWidth vision transformer width
 * @param visionLayers vision transformer blocks
 * @param patchSize patch side in pixels
 * @param imageSize input frame side in pixels (a multiple of the patch size)
 * @param textWidth text transformer width
 * @param textLayers text transformer blocks
 * @param vocabSize token embedding rows (49408 = CLIP's vocabulary, so the real tokenizer's ids are valid)
 * @param embedDim joint embedding dimension
 * @param crossLayers blocks of transformerClip and cross.transformer
 * @param maxFrames frames per clip T
 * @param maxWords caption length L
 * @param head the head written to config.json (weights of all four heads are generated)
 * @param linearPatch the patch embedding written to config.json
 */
public record TinyModelShape(
        int visionWidth,
        int visionLayers,
        int patchSize,
        int imageSize,
        int textWidth,
        int textLayers,
        int vocabSize,
        int embedDim,
        int crossLayers,
        int maxFrames,
        int maxWords,
        SimilarityHead head,
        LinearPatch linearPatch) {

    /** CLIP's vocabulary size: 256 bytes, 256 end-of-word bytes, 48,894 merges, SOT and EOT. */
    public static final int CLIP_VOCAB_SIZE = 49408;

    /** Validates the shape. */
    public TinyModelShape {
        if (visionWidth % 64 != 0 || textWidth % 64 != 0 || visionWidth <= 0 || textWidth <= 0) {
            throw new IllegalArgumentException(
                    "widths must be positive multiples of 64, got " + visionWidth + " and " + textWidth);
        }
        if (patchSize <= 0 || imageSize % patchSize != 0) {
            throw new IllegalArgumentException(
                    "image size " + imageSize + " must be a multiple of the patch size " + patchSize);
        }
        if (embedDim <= 0 || vocabSize <= 0 || maxFrames <= 0 || maxWords < 2 || maxFrames + 1 > 77 || maxWords > 77) {
            throw new IllegalArgumentException("invalid tiny model shape: embed dim " + embedDim + ", vocab "
                    + vocabSize + ", max_frames " + maxFrames + ", max_words " + maxWords);
        }
        if (textWidth != embedDim) {
            throw new IllegalArgumentException(
                    "seqTransf needs text width == embed dim, got " + textWidth + " and " + embedDim);
        }
    }

    /**
     * Returns the default small shape: widths 64, 2 layers, 16-pixel patches on 64x64 frames, CLIP's full vocabulary,
     * D = 64, 2 cross layers, T = 12, L = 32, meanP, 2D patch.
     */
    public static TinyModelShape defaults() {
        return new TinyModelShape(
                64, 2, 16, 64, 64, 2, CLIP_VOCAB_SIZE, 64, 2, 12, 32, SimilarityHead.MEAN_P, LinearPatch.TWO_D);
    }

    /** Returns a copy configured for {@code newHead}. */
    public TinyModelShape withHead(SimilarityHead newHead) {
        return new TinyModelShape(
                visionWidth,
                visionLayers,
                patchSize,
                imageSize,
                textWidth,
                textLayers,
                vocabSize,
                embedDim,
                crossLayers,
                maxFrames,
                maxWords,
                newHead,
                linearPatch);
    }

    /** Returns a copy with the 2D or 3D patch. */
    public TinyModelShape withLinearPatch(LinearPatch patch) {
        return new TinyModelShape(
                visionWidth,
                visionLayers,
                patchSize,
                imageSize,
                textWidth,
                textLayers,
                vocabSize,
                embedDim,
                crossLayers,
                maxFrames,
                maxWords,
                head,
                patch);
    }

    /** Returns a copy with {@code newMaxFrames} frames per clip. */
    public TinyModelShape withMaxFrames(int newMaxFrames) {
        return new TinyModelShape(
                visionWidth,
                visionLayers,
                patchSize,
                imageSize,
                textWidth,
                textLayers,
                vocabSize,
                embedDim,
                crossLayers,
                newMaxFrames,
                maxWords,
                head,
                linearPatch);
    }
}
