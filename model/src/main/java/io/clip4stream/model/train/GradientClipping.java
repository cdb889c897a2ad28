package io.clip4stream.model.train;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** {@code torch.nn.utils.clip_grad_norm_}: scales gradients in place so that their joint L2 norm is at most a bound. */
public final class GradientClipping {

    /** PyTorch's guard against division by a zero norm. */
    private static final double NORM_EPSILON = 1e-6;

    private GradientClipping() {}

    /**
     * Scales every gradient in {@code gradients} by {@code min(1, maxNorm / (norm + 1e-6))}, where {@code norm} is the
     * L2 norm of all their elements together, and returns that norm (before scaling).
     */
    public static double clip(List<NDArray> gradients, double maxNorm) {
        if (gradients.isEmpty()) {
            return 0.0;
        }
        return clip(gradients, maxNorm, globalNorm(gradients));
    }

    /**
     * {@link #clip(List, double)} for gradients whose {@link #globalNorm} {@code total} the caller has already computed,
     * so they are not read twice; returns {@code total}.
     */
    public static double clip(List<NDArray> gradients, double maxNorm, double total) {
        double coefficient = maxNorm / (total + NORM_EPSILON);
        if (coefficient < 1.0) {
            float factor = (float) coefficient;
            for (NDArray gradient : gradients) {
                gradient.muli(factor);
            }
        }
        return total;
    }

    /** The global L2 norm of {@code gradients} (0 for none), as {@link #clip} computes it; NaN or infinite if any is. */
    public static double globalNorm(List<NDArray> gradients) {
        double sumOfSquares = 0;
        for (NDArray gradient : gradients) {
            // Each tensor's norm in float32 as PyTorch computes it, then the norm of those norms.
            try (NDArray norm = gradient.norm()) {
                double value = norm.getFloat();
                sumOfSquares += value * value;
            }
        }
        return (float) Math.sqrt(sumOfSquares);
    }
}
