package io.clip4stream.model.convert;

/** Copies a strided view of a storage into C-order bytes, as {@code tensor.contiguous()} does. */
final class StridedCopy {

    private StridedCopy() {}

    /**
     * Returns the view's elements in C order.
     *
     * @param storage the whole storage, little-endian
     * @param elementSize bytes per element
     * @param offset first element of the view
     * @param shape the view's dimensions
     * @param stride the view's steps in elements
     */
    static byte[] gather(byte[] storage, int elementSize, long offset, long[] shape, long[] stride) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        byte[] out = new byte[Math.toIntExact(Math.multiplyExact(count, elementSize))];
        if (count == 0) {
            return out;
        }
        if (isContiguous(shape, stride)) {
            System.arraycopy(storage, Math.toIntExact(offset * elementSize), out, 0, out.length);
            return out;
        }
        int rank = shape.length;
        long[] index = new long[rank];
        long source = offset;
        for (long i = 0; i < count; i++) {
            System.arraycopy(storage, Math.toIntExact(source * elementSize), out, (int) (i * elementSize), elementSize);
            for (int d = rank - 1; d >= 0; d--) {
                index[d]++;
                source += stride[d];
                if (index[d] < shape[d]) {
                    break;
                }
                source -= index[d] * stride[d];
                index[d] = 0;
            }
        }
        return out;
    }

    /** Returns whether the strides are C-contiguous for the shape (size-1 dimensions may have any stride). */
    static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }
}
