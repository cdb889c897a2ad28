package io.clip4stream.alert.match;

/** A row-major matrix times a vector, the one hot loop of matching; also the bench's baseline. */
public final class MatrixVector {
    private MatrixVector() {}

    /** {@code out[r] = sum_d matrix[r * dim + d] * vector[d]} for every row r of {@code rows}. */
    public static void multiply(float[] matrix, int rows, int dim, float[] vector, float[] out) {
        // Four independent accumulators: the JIT does not reorder a single floating-point sum, so one accumulator
        // would serialise every row on the add latency.
        int limit = dim & ~3;
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            int d = 0;
            for (; d < limit; d += 4) {
                s0 += matrix[base + d] * vector[d];
                s1 += matrix[base + d + 1] * vector[d + 1];
                s2 += matrix[base + d + 2] * vector[d + 2];
                s3 += matrix[base + d + 3] * vector[d + 3];
            }
            for (; d < dim; d++) {
                s0 += matrix[base + d] * vector[d];
            }
            out[r] = (s0 + s1) + (s2 + s3);
        }
    }
}
