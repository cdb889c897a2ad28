package io.clip4stream.model.convert;

import io.clip4stream.model.weights.SafetensorsWriter;
import io.clip4stream.model.weights.TensorDType;
import io.clip4stream.model.weights.TensorInfo;
import java.io.IOException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor of a source checkpoint: its dtype and shape now, its bytes when they are written.
 *
 * @param dtype the element type as stored
 * @param shape the dimensions in C order
 * @param loader produces the elements as little-endian bytes in C order
 */
public record SourceTensor(TensorDType dtype, long[] shape, Loader loader) implements SafetensorsWriter.TensorSource {

    /** Reads a tensor's bytes from wherever the checkpoint keeps them. */
    @FunctionalInterface
    public interface Loader {
        /** Returns the elements as little-endian bytes in C order. */
        byte[] load() throws IOException;
    }

    /** Validates the fields and copies the shape. */
    public SourceTensor {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(loader, "loader");
        shape = shape.clone();
        new TensorInfo("tensor", dtype, shape).byteSize(); // rejects negative or overflowing shapes now
    }

    /** Returns a copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Returns the number of elements. */
    public long elementCount() {
        return new TensorInfo("tensor", dtype, shape).elementCount();
    }

    @Override
    public byte[] littleEndianBytes() throws IOException {
        return loader.load();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SourceTensor that
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && loader.equals(that.loader);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), loader);
    }

    @Override
    public String toString() {
        return "SourceTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
