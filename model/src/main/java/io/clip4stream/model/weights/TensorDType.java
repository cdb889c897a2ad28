package io.clip4stream.model.weights;

/** Element types of a safetensors tensor, named exactly as in the file header, with their size in bytes. */
public enum TensorDType {
    F64(8),
    F32(4),
    F16(2),
    BF16(2),
    I64(8),
    I32(4),
    I16(2),
    I8(1),
    U8(1),
    BOOL(1);

    private final int byteSize;

    TensorDType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Returns the number of bytes one element of this type occupies. */
    public int byteSize() {
        return byteSize;
    }

    /** Returns whether this is a floating-point type that {@link SafetensorsFile#floats} can read. */
    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }
}
