package io.clip4stream.model.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * Name, element type and shape of one tensor in a safetensors file.
 *
 * @param name the tensor's key in the file header
 * @param dtype the element type
 * @param shape the dimensions in C order; empty for a scalar
 */
public record TensorInfo(String name, TensorDType dtype, long[] shape) {

    /** Validates and defensively copies the shape. */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        shape = shape.clone();
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException(
                        "tensor '" + name + "' has a negative dimension in shape " + Arrays.toString(shape));
            }
        }
    }

    /** Returns a copy of the shape, so callers cannot change this record. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Returns the number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Returns the product of the dimensions (1 for a scalar), failing if it does not fit in a long. */
    public long elementCount() {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** Returns the number of bytes the tensor's data occupies, failing if it does not fit in a long. */
    public long byteSize() {
        return Math.multiplyExact(elementCount(), (long) dtype.byteSize());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorInfo that
                && name.equals(that.name)
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "TensorInfo[name=" + name + ", dtype=" + dtype + ", shape=" + Arrays.toString(shape) + "]";
    }
}
