package io.clip4stream.model.weights;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor ready to be written: dtype, shape and its elements as little-endian bytes in C order.
 *
 * @param dtype the element type
 * @param shape the dimensions in C order; empty for a scalar
 * @param littleEndianBytes exactly {@code elementCount * dtype.byteSize()} bytes
 */
public record TensorData(TensorDType dtype, long[] shape, byte[] littleEndianBytes) {

    /** Validates that the byte count matches dtype and shape, and copies the arrays. */
    public TensorData {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(littleEndianBytes, "littleEndianBytes");
        shape = shape.clone();
        long expected = new TensorInfo("tensor", dtype, shape).byteSize();
        if (littleEndianBytes.length != expected) {
            throw new IllegalArgumentException(dtype + " " + Arrays.toString(shape) + " needs " + expected
                    + " bytes, got " + littleEndianBytes.length);
        }
        littleEndianBytes = littleEndianBytes.clone();
    }

    /** Stores {@code values} as F32. */
    public static TensorData f32(long[] shape, float... values) {
        ByteBuffer out = allocate(values.length, 4);
        out.asFloatBuffer().put(values);
        return new TensorData(TensorDType.F32, shape, out.array());
    }

    /** Stores {@code values} as F16, rounding each to the nearest half (ties to even) as PyTorch's {@code .half()}. */
    public static TensorData f16(long[] shape, float... values) {
        ByteBuffer out = allocate(values.length, 2);
        for (float value : values) {
            out.putShort(Float.floatToFloat16(value));
        }
        return new TensorData(TensorDType.F16, shape, out.array());
    }

    /** Stores {@code values} as BF16, rounding each to nearest (ties to even); NaN stays a quiet NaN. */
    public static TensorData bf16(long[] shape, float... values) {
        ByteBuffer out = allocate(values.length, 2);
        for (float value : values) {
            int bits = Float.floatToRawIntBits(value);
            if (Float.isNaN(value)) {
                out.putShort((short) ((bits >>> 16) | 0x0040));
            } else {
                int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
                out.putShort((short) ((bits + roundingBias) >>> 16));
            }
        }
        return new TensorData(TensorDType.BF16, shape, out.array());
    }

    /** Stores {@code values} as F64. */
    public static TensorData f64(long[] shape, double... values) {
        ByteBuffer out = allocate(values.length, 8);
        out.asDoubleBuffer().put(values);
        return new TensorData(TensorDType.F64, shape, out.array());
    }

    /** Stores {@code values} as I64. */
    public static TensorData i64(long[] shape, long... values) {
        ByteBuffer out = allocate(values.length, 8);
        out.asLongBuffer().put(values);
        return new TensorData(TensorDType.I64, shape, out.array());
    }

    /** Stores {@code values} as I32. */
    public static TensorData i32(long[] shape, int... values) {
        ByteBuffer out = allocate(values.length, 4);
        out.asIntBuffer().put(values);
        return new TensorData(TensorDType.I32, shape, out.array());
    }

    /** Stores {@code values} as U8 (each byte read as unsigned). */
    public static TensorData u8(long[] shape, byte... values) {
        return new TensorData(TensorDType.U8, shape, values);
    }

    /** Returns a copy of the shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Returns a copy of the data bytes. */
    @Override
    public byte[] littleEndianBytes() {
        return littleEndianBytes.clone();
    }

    /** Returns the number of data bytes without copying them. */
    public int byteLength() {
        return littleEndianBytes.length;
    }

    /** Writes the data bytes to {@code out} without an intermediate copy. */
    void writeTo(OutputStream out) throws IOException {
        out.write(littleEndianBytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorData that
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(littleEndianBytes, that.littleEndianBytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(littleEndianBytes));
    }

    @Override
    public String toString() {
        return "TensorData[" + dtype + " " + Arrays.toString(shape) + ", " + littleEndianBytes.length + " bytes]";
    }

    private static ByteBuffer allocate(int count, int elementBytes) {
        return ByteBuffer.allocate(Math.multiplyExact(count, elementBytes)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
