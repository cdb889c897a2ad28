package io.clip4stream.alert.match;

/** When a clip's score for a standing query is high enough to count as a match. */
public sealed interface ThresholdRule {

    /** The score threshold this rule sets, given the query's score sketch; infinite while it cannot tell yet. */
    double threshold(ScoreSketch sketch);

    /**
     * A fixed first-stage cosine similarity.
     *
     * @param minScore a clip scoring at or above this matches
     */
    record Absolute(double minScore) implements ThresholdRule {
        /** Validates the score. */
        public Absolute {
            if (!Double.isFinite(minScore) || minScore < -1 || minScore > 1) {
                throw new IllegalArgumentException("an absolute threshold is a cosine in [-1, 1]; was " + minScore);
            }
        }

        @Override
        public double threshold(ScoreSketch sketch) {
            return minScore;
        }
    }

    /**
     * A calibrated rate: the threshold above which about {@code alertsPerDay} clips a day of one source score, so
     * ordinary footage fires about that many moments a day per watched source.
     *
     * @param alertsPerDay expected alerts a day per watched source; positive
     */
    record TopRate(double alertsPerDay) implements ThresholdRule {
        private static final double SECONDS_PER_DAY = 86_400;

        /** Validates the rate. */
        public TopRate {
            if (!Double.isFinite(alertsPerDay) || alertsPerDay <= 0) {
                throw new IllegalArgumentException("an alert rate must be positive; was " + alertsPerDay);
            }
        }

        /** The fraction of clips that should score above the threshold, given clips of {@code clipSeconds}. */
        public double topFraction(double clipSeconds) {
            double clipsPerDay = SECONDS_PER_DAY / Math.max(clipSeconds, 1e-3);
            return Math.min(1.0, alertsPerDay / clipsPerDay);
        }

        @Override
        public double threshold(ScoreSketch sketch) {
            if (!sketch.calibrated()) {
                return Double.POSITIVE_INFINITY;
            }
            return sketch.cachedUpperQuantile(topFraction(sketch.meanClipSeconds()));
        }
    }
}
