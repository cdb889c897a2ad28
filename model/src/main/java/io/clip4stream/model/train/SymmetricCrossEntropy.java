package io.clip4stream.model.train;

import ai.djl.ndarray.NDArray;

/**
 * CLIP4Clip's training loss: {@code (CrossEn(S) + CrossEn(Sᵀ)) / 2} with {@code CrossEn(S) = mean_i(-log_softmax(S)[i,
 * i])}, where row i of the similarity matrix S is caption i and column i its clip (the positive pair on the diagonal).
 */
public final class SymmetricCrossEntropy {

    private SymmetricCrossEntropy() {}

    /** Returns the scalar loss of the square matrix {@code similarity} ({@code [B, B]}, texts as rows). */
    public static NDArray loss(NDArray similarity) {
        long rows = similarity.getShape().get(0);
        if (similarity.getShape().dimension() != 2 || similarity.getShape().get(1) != rows) {
            throw new IllegalArgumentException(
                    "the similarity matrix must be square (caption i with clip i), got " + similarity.getShape());
        }
        NDArray textToVideo = crossEn(similarity);
        NDArray videoToText = crossEn(similarity.transpose());
        return textToVideo.add(videoToText).div(2f);
    }

    /** {@code mean_i(-log_softmax(s, dim=-1)[i, i])}. */
    static NDArray crossEn(NDArray similarity) {
        long rows = similarity.getShape().get(0);
        // torch.diag: gather the diagonal (a mask product would turn an off-diagonal -inf into NaN).
        NDArray rowIndex = similarity.getManager().arange(0, rows, 1, ai.djl.ndarray.types.DataType.INT64);
        NDArray diagonal = similarity.logSoftmax(1).get(new ai.djl.ndarray.index.NDIndex("{}, {}", rowIndex, rowIndex));
        return diagonal.sum().neg().div((float) rows);
    }
}
