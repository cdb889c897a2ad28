package io.clip4stream.model.convert;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view of a storage.
 *
 * @param storage the storage the view reads
 * @param offset the first element of the view, in storage elements
 * @param shape the dimensions
 * @param stride the step of each dimension, in storage elements
 */
public record TorchTensor(TorchStorage storage, long offset, long[] shape, long[] stride) {

    /** Validates the view against its storage so that reading it later cannot go out of bounds. */
    public TorchTensor {
        Objects.requireNonNull(storage, "storage");
        shape = shape.clone();
        stride = stride.clone();
        if (shape.length != stride.length) {
            throw new IllegalArgumentException("tensor of storage " + storage.key() + " has shape "
                    + Arrays.toString(shape) + " but stride " + Arrays.toString(stride));
        }
        long last = offset;
        boolean empty = false;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || stride[i] < 0) {
                throw new IllegalArgumentException("tensor of storage " + storage.key() + " has a negative size or"
                        + " stride: " + Arrays.toString(shape) + " / " + Arrays.toString(stride));
            }
            empty |= shape[i] == 0;
            if (shape[i] > 0) {
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
            }
        }
        if (offset < 0 || (!empty && last >= storage.elements())) {
            throw new IllegalArgumentException("tensor view (offset " + offset + ", shape " + Arrays.toString(shape)
                    + ", stride " + Arrays.toString(stride) + ") reaches past storage " + storage.key() + " of "
                    + storage.elements() + " elements");
        }
    }

    /** Returns a copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Returns a copy of the stride. */
    @Override
    public long[] stride() {
        return stride.clone();
    }

    /** Returns the number of elements of the view. */
    public long elementCount() {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TorchTensor that
                && storage.equals(that.storage)
                && offset == that.offset
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(stride, that.stride);
    }

    @Override
    public int hashCode() {
        return Objects.hash(storage, offset, Arrays.hashCode(shape), Arrays.hashCode(stride));
    }

    @Override
    public String toString() {
        return "TorchTensor[" + storage.dtype() + " " + Arrays.toString(shape) + " of storage " + storage.key() + "]";
    }
}
