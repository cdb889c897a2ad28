package io.clip4stream.model.convert;

import java.util.Arrays;
import java.util.Objects;

/**
 * A numpy scalar from a checkpoint's metadata ({@code numpy.core.multiarray.scalar}), kept as its dtype and bytes.
 *
 * @param dtype the numpy dtype string, e.g. {@code f8}
 * @param bytes the scalar's bytes as numpy stored them
 */
public record NumpyScalar(String dtype, byte[] bytes) {

    /** Copies the bytes. */
    public NumpyScalar {
        Objects.requireNonNull(dtype, "dtype");
        bytes = bytes.clone();
    }

    /** Returns a copy of the bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NumpyScalar that && dtype.equals(that.dtype) && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(bytes));
    }

    @Override
    public String toString() {
        return "NumpyScalar[" + dtype + ", " + bytes.length + " bytes]";
    }
}
