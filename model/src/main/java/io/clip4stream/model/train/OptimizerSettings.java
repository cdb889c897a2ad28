package io.clip4stream.model.train;

/**
 * The original optimizer's settings ({@code BertAdam} with the {@code warmup_cosine} schedule, gradient clipping and the
 * logit-scale clamp); {@link #paper(long)} gives the values of CLIP4Clip's published runs.
 *
 * @param lr the head's learning rate
 * @param coefLr the factor on {@code lr} for CLIP's parameters
 * @param warmup the warm-up proportion of {@code tTotal}
 * @param tTotal the number of optimizer steps the schedule spans
 * @param weightDecay the decay added to the update of decaying parameters
 * @param b1 Adam's first-moment coefficient
 * @param b2 Adam's second-moment coefficient
 * @param eps Adam's epsilon, added to {@code sqrt(v)}
 * @param maxGradNorm the per-parameter gradient norm bound inside the step
 * @param globalClipNorm the bound on the norm of all gradients together, before the step
 * @param logitScaleMax the upper bound on {@code clip.logit_scale} after each step
 */
public record OptimizerSettings(
        double lr,
        double coefLr,
        double warmup,
        long tTotal,
        double weightDecay,
        double b1,
        double b2,
        double eps,
        double maxGradNorm,
        double globalClipNorm,
        double logitScaleMax) {

    /** The published runs' head learning rate. */
    public static final double DEFAULT_LR = 1e-4;

    /** The published runs' CLIP learning-rate factor. */
    public static final double DEFAULT_COEF_LR = 1e-3;

    /** The published runs' warm-up proportion. */
    public static final double DEFAULT_WARMUP = 0.1;

    /** The published runs' weight decay. */
    public static final double DEFAULT_WEIGHT_DECAY = 0.2;

    /** {@code log(100)}: CLIP's cap on the similarity temperature. */
    public static final double LOGIT_SCALE_MAX = Math.log(100);

    /** Validates the settings. */
    public OptimizerSettings {
        if (!(lr >= 0) || !(coefLr >= 0) || !(warmup >= 0 && warmup < 1) || tTotal <= 0 || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("invalid optimizer settings: lr " + lr + ", coef_lr " + coefLr
                    + ", warmup " + warmup + ", t_total " + tTotal + ", weight decay " + weightDecay);
        }
        if (!(b1 >= 0 && b1 < 1) || !(b2 >= 0 && b2 < 1) || !(eps > 0)) {
            throw new IllegalArgumentException("invalid Adam settings: b1 " + b1 + ", b2 " + b2 + ", e " + eps);
        }
    }

    /** Returns the paper's settings for a run of {@code tTotal} optimizer steps. */
    public static OptimizerSettings paper(long tTotal) {
        return new OptimizerSettings(
                DEFAULT_LR,
                DEFAULT_COEF_LR,
                DEFAULT_WARMUP,
                tTotal,
                DEFAULT_WEIGHT_DECAY,
                0.9,
                0.98,
                1e-6,
                1.0,
                1.0,
                LOGIT_SCALE_MAX);
    }

    /** Returns a copy with other learning rates and warm-up. */
    public OptimizerSettings withRates(double newLr, double newCoefLr, double newWarmup) {
        return new OptimizerSettings(
                newLr,
                newCoefLr,
                newWarmup,
                tTotal,
                weightDecay,
                b1,
                b2,
                eps,
                maxGradNorm,
                globalClipNorm,
                logitScaleMax);
    }

    /** Returns the learning rate of {@code group} before the schedule. */
    public double groupLr(ParameterGroup group) {
        return group.clip() ? lr * coefLr : lr;
    }

    /** Returns the weight decay of {@code group}. */
    public double groupDecay(ParameterGroup group) {
        return group.decay() ? weightDecay : 0.0;
    }

    /** Returns the schedule factor at optimizer step {@code step} (counted from 0, so the first step's is 0). */
    public double schedule(long step) {
        return warmupCosine((double) step / tTotal, warmup);
    }

    /** The original's {@code warmup_cosine}: linear warm-up to 1, then half a cosine over the whole run. */
    public static double warmupCosine(double progress, double warmup) {
        if (progress < warmup) {
            return progress / warmup;
        }
        return 0.5 * (1.0 + Math.cos(Math.PI * progress));
    }
}
