package io.clip4stream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;

/**
 * The common end of every loose head: L2-normalise each frame, average the valid frames (dividing by their count, at
 * least 1), L2-normalise the average.
 */
public final class MaskedMeanPooling {

    private MaskedMeanPooling() {}

    /** Pools {@code frames} ({@code [clips, T, D]}) under {@code validFrames} ({@code [clips, T]}). */
    public static NDArray pool(NDArray frames, NDArray validFrames) {
        NDArray normalised = l2Normalise(frames);
        NDArray valid = validFrames.expandDims(2);
        // The original multiplies by the mask; selecting instead gives the same sums and keeps a padded all-zero frame
        // (0/0 = NaN after normalisation) from poisoning the mean.
        NDArray masked =
                NDArrays.where(valid.gt(0f).broadcast(normalised.getShape()), normalised, normalised.zerosLike());
        NDArray count = valid.sum(new int[] {1});
        count = NDArrays.where(count.eq(0f), count.onesLike(), count);
        return l2Normalise(masked.sum(new int[] {1}).div(count));
    }

    /** Divides each vector along the last axis by its Euclidean norm (no epsilon, as in the original). */
    public static NDArray l2Normalise(NDArray x) {
        int last = x.getShape().dimension() - 1;
        return x.div(x.norm(new int[] {last}, true));
    }
}
