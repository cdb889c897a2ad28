package io.clip4stream.query.example;

/**
 * Combines query vectors: a text-and-example query searches with {@code unit(w * unit(text) + (1 - w) * unit(example))},
 * so {@code w = 1} is the text alone and {@code w = 0} the example alone, and both sides count by direction, never by
 * length.
 */
public final class VectorBlend {
    private VectorBlend() {}

    /**
     * The L2-normalised copy of {@code vector}.
     *
     * @throws IllegalArgumentException when the vector is empty, zero or not finite
     */
    public static float[] unit(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += (double) v * v;
        }
        if (vector.length == 0 || !(norm > 0) || Double.isInfinite(norm)) {
            throw new IllegalArgumentException("cannot normalise a vector of squared length " + norm);
        }
        double scale = 1 / Math.sqrt(norm);
        float[] unit = new float[vector.length];
        for (int d = 0; d < vector.length; d++) {
            unit[d] = (float) (vector[d] * scale);
        }
        return unit;
    }

    /** The L2-normalised mean of {@code vectors} (each normalised first), e.g. of the clips of a time range. */
    public static float[] unitMean(java.util.List<float[]> vectors) {
        if (vectors.isEmpty()) {
            throw new IllegalArgumentException("no vectors to average");
        }
        int dim = vectors.getFirst().length;
        float[] sum = new float[dim];
        for (float[] vector : vectors) {
            if (vector.length != dim) {
                throw new IllegalArgumentException("vectors differ in length: " + vector.length + " and " + dim);
            }
            float[] unit = unit(vector);
            for (int d = 0; d < dim; d++) {
                sum[d] += unit[d];
            }
        }
        return unit(sum);
    }

    /**
     * {@code unit(weight * unit(text) + (1 - weight) * unit(example))}.
     *
     * @throws IllegalArgumentException when {@code weight} is outside [0, 1], the vectors differ in length, or they
     *     cancel out (opposite directions at equal weight)
     */
    public static float[] blend(float[] text, float[] example, double weight) {
        if (!(weight >= 0 && weight <= 1)) {
            throw new IllegalArgumentException("weight must be in [0, 1]; was " + weight);
        }
        if (text.length != example.length) {
            throw new IllegalArgumentException(
                    "the text vector has " + text.length + " values and the example " + example.length);
        }
        float[] t = unit(text);
        float[] e = unit(example);
        float[] sum = new float[t.length];
        for (int d = 0; d < t.length; d++) {
            sum[d] = (float) (weight * t[d] + (1 - weight) * e[d]);
        }
        return unit(sum);
    }
}
