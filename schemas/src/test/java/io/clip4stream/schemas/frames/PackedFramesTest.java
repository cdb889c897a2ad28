package io.clip4stream.schemas.frames;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PackedFramesTest {

    private static float[][] frames(int count, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] frames = new float[count][dim];
        for (float[] frame : frames) {
            for (int i = 0; i < dim; i++) {
                frame[i] = (float) (random.nextGaussian() * 0.3);
            }
        }
        return frames;
    }

    /** Every value of {@code back} within half a step of its frame's scale (largest magnitude over {@code levels}). */
    private static void assertWithinHalfAStep(float[][] frames, float[][] back, int levels) {
        for (int f = 0; f < frames.length; f++) {
            float max = 0;
            for (float v : frames[f]) {
                max = Math.max(max, Math.abs(v));
            }
            double bound = max / (double) levels / 2 * (1 + 1e-6);
            for (int i = 0; i < frames[f].length; i++) {
                assertTrue(Math.abs(back[f][i] - frames[f][i]) <= bound, "frame " + f + " value " + i);
            }
        }
    }

    @Test
    void float32IsExact() {
        float[][] frames = frames(12, 512, 1);
        frames[0][0] = Float.MIN_VALUE;
        frames[0][1] = -0.0f;
        frames[0][2] = 1e30f;
        byte[] packed = PackedFrames.pack(frames, FrameEncoding.FLOAT32);

        assertEquals(PackedFrames.packedBytes(12, 512, FrameEncoding.FLOAT32), packed.length);
        assertEquals(10 + 12 * 512 * 4, packed.length);
        float[][] back = PackedFrames.unpack(packed);
        for (int f = 0; f < frames.length; f++) {
            assertArrayEquals(frames[f], back[f], 0f);
        }
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(back[0][1]));
    }

    @Test
    void float16KeepsElevenBitsOfEveryValue() {
        float[][] frames = frames(12, 512, 2);
        byte[] packed = PackedFrames.pack(frames, FrameEncoding.FLOAT16);

        assertEquals(10 + 12 * 512 * 2, packed.length);
        float[][] back = PackedFrames.unpack(packed);
        for (int f = 0; f < frames.length; f++) {
            for (int i = 0; i < frames[f].length; i++) {
                float v = frames[f][i];
                // Normal half floats: relative error at most 2^-11; subnormal ones: absolute error at most 2^-25.
                double bound = Math.max(Math.abs(v) * 0x1p-11, 0x1p-25);
                assertTrue(
                        Math.abs(back[f][i] - v) <= bound,
                        "frame " + f + " value " + i + ": " + v + " -> " + back[f][i]);
            }
        }
    }

    @Test
    void int8ErrsByAtMostHalfAStepOfEachFrameScale() {
        float[][] frames = frames(12, 512, 3);
        frames[5] = new float[512];
        frames[7][3] = 40f;
        byte[] packed = PackedFrames.pack(frames, FrameEncoding.INT8);

        assertEquals(10 + 12 * (4 + 512), packed.length);
        float[][] back = PackedFrames.unpack(packed);
        assertWithinHalfAStep(frames, back, 127);
        assertArrayEquals(new float[512], back[5], 0f, "a zero frame stays zero");
        assertEquals(40f, back[7][3], 1e-5f, "the largest value is exact up to float rounding");
    }

    @Test
    void int10ErrsByAtMostHalfAStepOfEachFrameScaleInFiveBytesPerFourValues() {
        float[][] frames = frames(12, 512, 13);
        frames[5] = new float[512];
        frames[7][3] = 40f;
        frames[7][4] = -40f;
        byte[] packed = PackedFrames.pack(frames, FrameEncoding.INT10);

        assertEquals(10 + 12 * (4 + 640), packed.length);
        assertEquals(7_738, packed.length);
        float[][] back = PackedFrames.unpack(packed);
        assertWithinHalfAStep(frames, back, 511);
        assertArrayEquals(new float[512], back[5], 0f, "a zero frame stays zero");
        assertEquals(40f, back[7][3], 1e-5f, "the largest value is exact up to float rounding");
        assertEquals(-40f, back[7][4], 1e-5f, "so is the most negative");
    }

    @Test
    void int10WritesOffsetValuesLeastSignificantBitFirst() {
        // Scale 1 (largest magnitude 511): the values 0, 511, -511, 1 are stored as 511, 1022, 0, 512.
        byte[] packed = PackedFrames.pack(new float[][] {{0f, 511f, -511f, 1f, 2f}}, FrameEncoding.INT10);

        assertEquals(10 + 4 + 7, packed.length, "five values take 50 bits: seven bytes");
        ByteBuffer in = ByteBuffer.wrap(packed, 10, packed.length - 10).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(1f, in.getFloat());
        long bits = 0;
        for (int i = 0; i < 7; i++) {
            bits |= (long) (in.get() & 0xff) << (8 * i);
        }
        assertEquals(511, bits & 0x3ff);
        assertEquals(1022, (bits >>> 10) & 0x3ff);
        assertEquals(0, (bits >>> 20) & 0x3ff);
        assertEquals(512, (bits >>> 30) & 0x3ff);
        assertEquals(513, (bits >>> 40) & 0x3ff);
        assertEquals(0, bits >>> 50, "the padding bits are zero");
    }

    @ParameterizedTest
    @EnumSource(FrameEncoding.class)
    void emptyAndOddShapesRoundTrip(FrameEncoding encoding) {
        for (float[][] frames : new float[][][] {{}, {{}}, {{}, {}}, {{0.25f}}, frames(3, 7, 4), frames(1, 513, 5)}) {
            byte[] packed = PackedFrames.pack(frames, encoding);
            float[][] back = PackedFrames.unpack(packed);
            assertEquals(frames.length, back.length);
            assertEquals(frames.length, PackedFrames.frameCount(ByteBuffer.wrap(packed)));
            assertEquals(encoding, PackedFrames.encoding(ByteBuffer.wrap(packed)));
            for (int f = 0; f < frames.length; f++) {
                assertArrayEquals(frames[f], back[f], 0.01f, Arrays.toString(frames[f]));
            }
        }
    }

    @Test
    void unpacksFromAPositionedSliceWithoutMovingIt() {
        byte[] packed = PackedFrames.pack(new float[][] {{1f, 2f}}, FrameEncoding.FLOAT16);
        ByteBuffer larger = ByteBuffer.allocate(packed.length + 3);
        larger.put(new byte[] {9, 9}).put(packed).put((byte) 9);
        larger.position(2).limit(2 + packed.length);

        assertArrayEquals(new float[] {1f, 2f}, PackedFrames.unpack(larger)[0], 0f);
        assertEquals(2, larger.position());
    }

    @Test
    void raggedFramesAreRefused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PackedFrames.pack(new float[][] {{1f, 2f}, {1f}}, FrameEncoding.INT8));
        assertTrue(e.getMessage().contains("frame 1 has width 1"), e.getMessage());
    }

    @Test
    void valuesThatDoNotFitAreRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> PackedFrames.pack(new float[][] {{70000f}}, FrameEncoding.FLOAT16));
        assertThrows(
                IllegalArgumentException.class,
                () -> PackedFrames.pack(new float[][] {{Float.NaN}}, FrameEncoding.INT8));
        assertThrows(
                IllegalArgumentException.class,
                () -> PackedFrames.pack(new float[][] {{1f, Float.NEGATIVE_INFINITY}}, FrameEncoding.INT10));
        assertThrows(
                IllegalArgumentException.class,
                () -> PackedFrames.pack(new float[][] {{Float.POSITIVE_INFINITY}}, FrameEncoding.FLOAT16));
    }

    @Test
    void malformedBytesAreRefusedWithTheReason() {
        byte[] good = PackedFrames.pack(frames(2, 4, 6), FrameEncoding.INT8);

        assertTrue(assertThrows(IllegalArgumentException.class, () -> PackedFrames.unpack(new byte[3]))
                .getMessage()
                .contains("at least 10 bytes"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> PackedFrames.unpack(Arrays.copyOf(good, good.length - 1)))
                .getMessage()
                .contains("need " + good.length + " bytes"));
        byte[] format = good.clone();
        format[0] = 7;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PackedFrames.unpack(format))
                .getMessage()
                .contains("format 7"));
        byte[] tag = good.clone();
        tag[1] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PackedFrames.unpack(tag))
                .getMessage()
                .contains("tag 9"));
        byte[] negative = good.clone();
        negative[2] = (byte) 0xFF;
        negative[5] = (byte) 0xFF;
        assertThrows(IllegalArgumentException.class, () -> PackedFrames.unpack(negative));
    }

    @Test
    void namesParseAndUnknownNamesListTheKnownOnes() {
        for (FrameEncoding encoding : FrameEncoding.values()) {
            assertEquals(encoding, FrameEncoding.fromName(encoding.configName()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FrameEncoding.fromName("bf16"));
        assertTrue(e.getMessage().contains("float32, float16, int8"), e.getMessage());
    }
}
