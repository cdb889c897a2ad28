package io.clip4stream.schemas.frames;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Packs a clip's frame embeddings (every frame of one width) into one self-describing little-endian blob and back.
 *
 * <p>Layout: a format byte ({@value #FORMAT}), the encoding's tag byte, the frame count and the width (ints), then the
 * values frame after frame: float32, float16, or for int8 and int10 each frame's float32 scale followed by its values
 * (int10: offset by 511 and written ten bits each, least significant bit first, the frame padded to a whole byte). At
 * width 512 a 12-frame clip takes 24,586 bytes as float32, 12,298 as float16, 7,738 as int10 and 6,202 as int8.
 */
public final class PackedFrames {

    /** The layout version in the first byte, so a later layout can be told apart. */
    static final int FORMAT = 1;

    /** Format and tag bytes, frame count and width. */
    static final int HEADER_BYTES = 2 + 2 * Integer.BYTES;

    /** The largest int8 magnitude used: symmetric, so -127..127 and zero is exact. */
    private static final int INT8_MAX = 127;

    /** The largest int10 magnitude used: symmetric, so -511..511 (stored offset by 511 in 0..1022). */
    private static final int INT10_MAX = 511;

    /** Bits an int10 value takes. */
    private static final int INT10_BITS = 10;

    private PackedFrames() {}

    /**
     * Packs {@code frames} in {@code encoding}.
     *
     * @throws IllegalArgumentException when frames differ in width, or a value is not finite (float16 and int8), or
     *     too large for float16 (magnitude above 65504)
     */
    public static byte[] pack(float[][] frames, FrameEncoding encoding) {
        Objects.requireNonNull(frames, "frames");
        Objects.requireNonNull(encoding, "encoding");
        int dim = frames.length == 0 ? 0 : frames[0].length;
        for (int f = 0; f < frames.length; f++) {
            if (frames[f] == null || frames[f].length != dim) {
                throw new IllegalArgumentException("frame " + f + " has width "
                        + (frames[f] == null ? "null" : frames[f].length) + ", but frame 0 has " + dim);
            }
        }
        ByteBuffer out =
                ByteBuffer.allocate(packedBytes(frames.length, dim, encoding)).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) FORMAT).put((byte) encoding.tag()).putInt(frames.length).putInt(dim);
        for (int f = 0; f < frames.length; f++) {
            float[] frame = frames[f];
            switch (encoding) {
                case FLOAT32 -> {
                    for (float v : frame) {
                        out.putFloat(v);
                    }
                }
                case FLOAT16 -> {
                    for (int i = 0; i < dim; i++) {
                        short half = Float.floatToFloat16(frame[i]);
                        if (!Float.isFinite(Float.float16ToFloat(half))) {
                            throw new IllegalArgumentException(
                                    "frame " + f + " value " + i + " (" + frame[i] + ") does not fit float16");
                        }
                        out.putShort(half);
                    }
                }
                case INT8 -> {
                    float scale = frameMax(frame, f) / INT8_MAX;
                    out.putFloat(scale);
                    for (float v : frame) {
                        out.put((byte) quantize(v, scale, INT8_MAX));
                    }
                }
                case INT10 -> {
                    float scale = frameMax(frame, f) / INT10_MAX;
                    out.putFloat(scale);
                    long bits = 0;
                    int held = 0;
                    for (float v : frame) {
                        bits |= (long) (quantize(v, scale, INT10_MAX) + INT10_MAX) << held;
                        held += INT10_BITS;
                        while (held >= Byte.SIZE) {
                            out.put((byte) bits);
                            bits >>>= Byte.SIZE;
                            held -= Byte.SIZE;
                        }
                    }
                    if (held > 0) {
                        out.put((byte) bits);
                    }
                }
            }
        }
        return out.array();
    }

    /** The largest magnitude of {@code frame}, refusing a value that is not finite. */
    private static float frameMax(float[] frame, int index) {
        float max = 0f;
        for (int i = 0; i < frame.length; i++) {
            if (!Float.isFinite(frame[i])) {
                throw new IllegalArgumentException(
                        "frame " + index + " value " + i + " (" + frame[i] + ") is not finite");
            }
            max = Math.max(max, Math.abs(frame[i]));
        }
        return max;
    }

    /** {@code v / scale} rounded and clamped to {@code [-limit, limit]}; zero for an all-zero frame. */
    private static int quantize(float v, float scale, int limit) {
        return scale == 0f ? 0 : Math.max(-limit, Math.min(limit, Math.round(v / scale)));
    }

    /** The size of {@code frames} frames of width {@code dim} packed in {@code encoding}. */
    public static int packedBytes(int frames, int dim, FrameEncoding encoding) {
        if (frames < 0 || dim < 0) {
            throw new IllegalArgumentException("frame count and width must be >= 0; were " + frames + ", " + dim);
        }
        long total = HEADER_BYTES + bytesPerFrame(dim, encoding) * frames;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(frames + " frames of width " + dim + " are too large to pack");
        }
        return (int) total;
    }

    private static long bytesPerFrame(int dim, FrameEncoding encoding) {
        return switch (encoding) {
            case FLOAT32 -> (long) Float.BYTES * dim;
            case FLOAT16 -> 2L * dim;
            case INT8 -> Float.BYTES + (long) dim;
            case INT10 -> Float.BYTES + ((long) dim * INT10_BITS + Byte.SIZE - 1) / Byte.SIZE;
        };
    }

    /** The encoding of the packed frames {@code packed} (from position to limit; the position is left unchanged). */
    public static FrameEncoding encoding(ByteBuffer packed) {
        ByteBuffer in = header(packed);
        return FrameEncoding.fromTag(in.get(in.position() + 1));
    }

    /** The frame count of the packed frames {@code packed}. */
    public static int frameCount(ByteBuffer packed) {
        ByteBuffer in = header(packed);
        return in.getInt(in.position() + 2);
    }

    /** The frames of {@code packed}. */
    public static float[][] unpack(byte[] packed) {
        return unpack(ByteBuffer.wrap(packed));
    }

    /**
     * The frames packed in {@code packed}, from its position to its limit (the buffer itself is not moved).
     *
     * @throws IllegalArgumentException when the bytes are not packed frames (unknown format or encoding, a negative
     *     size, or a length that does not match the header)
     */
    public static float[][] unpack(ByteBuffer packed) {
        ByteBuffer in = header(packed);
        in.get();
        FrameEncoding encoding = FrameEncoding.fromTag(in.get());
        int count = in.getInt();
        int dim = in.getInt();
        if (count < 0 || dim < 0) {
            throw new IllegalArgumentException("packed frames claim " + count + " frames of width " + dim);
        }
        long expected = HEADER_BYTES + bytesPerFrame(dim, encoding) * count;
        int length = packed.remaining();
        if (expected != length) {
            throw new IllegalArgumentException("packed " + encoding.configName() + " frames of " + count + " x " + dim
                    + " need " + expected + " bytes, but " + length + " were given");
        }
        float[][] frames = new float[count][dim];
        try {
            for (float[] frame : frames) {
                switch (encoding) {
                    case FLOAT32 -> {
                        in.asFloatBuffer().get(frame);
                        in.position(in.position() + Float.BYTES * dim);
                    }
                    case FLOAT16 -> {
                        for (int i = 0; i < dim; i++) {
                            frame[i] = Float.float16ToFloat(in.getShort());
                        }
                    }
                    case INT8 -> {
                        float scale = in.getFloat();
                        for (int i = 0; i < dim; i++) {
                            frame[i] = in.get() * scale;
                        }
                    }
                    case INT10 -> {
                        float scale = in.getFloat();
                        long bits = 0;
                        int held = 0;
                        for (int i = 0; i < dim; i++) {
                            while (held < INT10_BITS) {
                                bits |= (long) (in.get() & 0xff) << held;
                                held += Byte.SIZE;
                            }
                            frame[i] = ((int) (bits & 0x3ff) - INT10_MAX) * scale;
                            bits >>>= INT10_BITS;
                            held -= INT10_BITS;
                        }
                    }
                }
            }
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("packed frames end early", e);
        }
        return frames;
    }

    /** A little-endian view of {@code packed} whose header is known to be there and of the known format. */
    private static ByteBuffer header(ByteBuffer packed) {
        Objects.requireNonNull(packed, "packed");
        if (packed.remaining() < HEADER_BYTES) {
            throw new IllegalArgumentException(
                    "packed frames need at least " + HEADER_BYTES + " bytes; got " + packed.remaining());
        }
        ByteBuffer in = packed.slice().order(ByteOrder.LITTLE_ENDIAN);
        int format = in.get(0);
        if (format != FORMAT) {
            throw new IllegalArgumentException("packed frames of format " + format + ", expected " + FORMAT);
        }
        return in;
    }
}
