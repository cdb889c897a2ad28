package io.clip4stream.model.parity;

/**
 * How far one computed tensor is from the original's.
 *
 * @param fixture the fixture name, such as {@code model-tiny-2d}
 * @param tensor the expected tensor's name, such as {@code seqTransf.sim}
 * @param maxAbsError {@code max |actual - expected|} over all elements
 * @param bound the fixture's tolerance (0 for exact)
 * @param passed whether {@code maxAbsError <= bound} and the shapes match
 */
public record TensorParity(String fixture, String tensor, double maxAbsError, double bound, boolean passed) {

    /** Returns error / bound (0 when both are 0; infinite when an exact tensor differs). */
    public double ratio() {
        if (bound == 0) {
            return maxAbsError == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return maxAbsError / bound;
    }
}
