package io.clip4stream.alert.match;

/**
 * The second stage of matching, for models with a trained tight head: which clips it scores, and the fused score the
 * threshold rule then applies to.
 *
 * <p>The query path orders re-ranked hits by {@code tight + w × cosine} (the model's {@code rerank.first_stage_weight}
 * {@code w}). A threshold rule is calibrated on first-stage cosines (every clip has one; only candidates get a tight
 * logit), so the fused score is compared in first-stage units: {@code cosine + tight / w}, which is at or above a
 * threshold {@code t} exactly when the query path's fused score is at or above {@code w × t}.
 *
 * @param firstStageWeight the model's {@code rerank.first_stage_weight}; positive
 * @param margin how far below the threshold a first-stage cosine may be and still be re-scored (the tight head may
 *     lift it over); not negative
 */
public record TightStage(double firstStageWeight, double margin) {
    /** Cosine margin below the threshold within which clips are re-scored: a tight logit may lift them over it. */
    public static final double DEFAULT_MARGIN = 0.05;

    /** Validates the weight and margin. */
    public TightStage {
        if (!(firstStageWeight > 0) || !Double.isFinite(firstStageWeight)) {
            throw new IllegalArgumentException(
                    "fusing needs a positive, finite first-stage weight; was " + firstStageWeight);
        }
        if (!(margin >= 0) || !Double.isFinite(margin)) {
            throw new IllegalArgumentException("the pre-filter margin must be finite and >= 0; was " + margin);
        }
    }

    /** Whether a clip of first-stage score {@code firstStage} is re-scored against {@code threshold}: the pre-filter. */
    public boolean candidate(double firstStage, double threshold) {
        return firstStage >= threshold - margin;
    }

    /** The fused score in first-stage units: {@code firstStage + tightLogit / firstStageWeight}. */
    public double fused(double firstStage, double tightLogit) {
        return firstStage + tightLogit / firstStageWeight;
    }
}
