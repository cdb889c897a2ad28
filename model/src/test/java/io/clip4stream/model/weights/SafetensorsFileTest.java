package io.clip4stream.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    private static final String MIXED = "/parity/model-tiny-2d/weights-mixed-subset.safetensors";
    private static final String WEIGHTS = "/parity/model-tiny-2d/weights.safetensors";

    private final SafetensorsWriter writer = new SafetensorsWriter();

    @TempDir
    Path tempDir;

    static Path resource(String name) {
        try {
            return Path.of(SafetensorsFileTest.class.getResource(name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }

    @Test
    void shouldUpcastMixedSubsetF16TensorsToTheF32WeightsBitForBit() throws IOException {
        try (SafetensorsFile mixed = SafetensorsFile.open(resource(MIXED));
                SafetensorsFile weights = SafetensorsFile.open(resource(WEIGHTS))) {
            assertEquals(12, mixed.names().size());
            int f16Count = 0;
            for (String name : mixed.names()) {
                TensorInfo info = mixed.info(name);
                assertArrayEquals(weights.info(name).shape(), info.shape(), name);
                assertEquals(TensorDType.F32, weights.info(name).dtype(), name);
                if (info.dtype() == TensorDType.F16) {
                    f16Count++;
                }
                float[] upcast = mixed.floats(name);
                float[] reference = weights.floats(name);
                assertEquals(reference.length, upcast.length, name);
                for (int i = 0; i < reference.length; i++) {
                    if (Float.floatToRawIntBits(reference[i]) != Float.floatToRawIntBits(upcast[i])) {
                        throw new AssertionError(name + "[" + i + "]: " + upcast[i] + " != " + reference[i]);
                    }
                }
            }
            assertEquals(6, f16Count);
        }
    }

    @Test
    void shouldListNamesSortedWithShapesAndScalarLogitScale() throws IOException {
        try (SafetensorsFile mixed = SafetensorsFile.open(resource(MIXED))) {
            List<String> names = List.copyOf(mixed.names());
            assertEquals(List.copyOf(new TreeSet<>(names)), names);
            assertEquals("clip.logit_scale", names.get(0));
            TensorInfo scale = mixed.info("clip.logit_scale");
            assertEquals(0, scale.rank());
            assertEquals(1, scale.elementCount());
            assertArrayEquals(new float[] {4.25f}, mixed.floats("clip.logit_scale"));
            TensorInfo conv = mixed.info("clip.visual.conv1.weight");
            assertEquals(new TensorInfo("clip.visual.conv1.weight", TensorDType.F16, new long[] {64, 3, 16, 16}), conv);
            assertEquals(64L * 3 * 16 * 16, conv.elementCount());
            assertTrue(mixed.contains("clip.visual.proj"));
            assertFalse(mixed.contains("clip.visual.conv2.weight"));
            assertTrue(mixed.metadata().isEmpty());
        }
    }

    @Test
    void shouldReadTheSameTensorsFromAStreamAsFromAMappedFile() throws IOException {
        try (SafetensorsFile mapped = SafetensorsFile.open(resource(MIXED));
                InputStream in = Files.newInputStream(resource(MIXED));
                SafetensorsFile streamed = SafetensorsFile.read(in)) {
            assertEquals(mapped.names(), streamed.names());
            for (String name : mapped.names()) {
                assertArrayEquals(mapped.floats(name), streamed.floats(name), name);
            }
        }
    }

    @Test
    void shouldRewriteTheMixedFixtureByteForByte() throws IOException {
        byte[] original = Files.readAllBytes(resource(MIXED));
        Map<String, TensorData> tensors = new TreeMap<>();
        try (SafetensorsFile mixed = SafetensorsFile.read(new ByteArrayInputStream(original))) {
            for (String name : mixed.names()) {
                TensorInfo info = mixed.info(name);
                float[] values = mixed.floats(name);
                tensors.put(
                        name,
                        info.dtype() == TensorDType.F16
                                ? TensorData.f16(info.shape(), values)
                                : TensorData.f32(info.shape(), values));
            }
        }
        assertArrayEquals(original, writer.toBytes(tensors, Map.of()));
    }

    @Test
    void shouldRoundTripEveryWritableDtypeWithMetadataThroughAFile() throws IOException {
        Map<String, TensorData> tensors = new TreeMap<>();
        tensors.put("f32", TensorData.f32(new long[] {2, 3}, 1f, -2.5f, 3e-8f, Float.MAX_VALUE, -0f, 7f));
        tensors.put("f16", TensorData.f16(new long[] {4}, 1f, -2f, 65504f, 0.099975586f));
        tensors.put("bf16", TensorData.bf16(new long[] {3}, 1f, -3.140625f, 256f));
        tensors.put("f64", TensorData.f64(new long[] {2}, 0.1, -1e300));
        tensors.put("i64", TensorData.i64(new long[] {2, 2}, Long.MIN_VALUE, -1, 0, 49407));
        tensors.put("i32", TensorData.i32(new long[] {3}, Integer.MIN_VALUE, -7, Integer.MAX_VALUE));
        tensors.put("u8", TensorData.u8(new long[] {1, 1, 3}, (byte) 0, (byte) 128, (byte) 255));
        tensors.put("scalar", TensorData.f32(new long[] {}, 4.25f));
        tensors.put("empty", TensorData.f32(new long[] {0, 5}));
        Map<String, String> metadata = Map.of("format", "pt", "note", "héllo ✓");
        Path file = tempDir.resolve("round-trip.safetensors");
        writer.write(file, tensors, metadata);

        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertEquals(tensors.keySet(), read.names());
            assertEquals(metadata, read.metadata());
            assertArrayEquals(new float[] {1f, -2.5f, 3e-8f, Float.MAX_VALUE, -0f, 7f}, read.floats("f32"));
            assertArrayEquals(new float[] {1f, -2f, 65504f, 0.099975586f}, read.floats("f16"));
            assertArrayEquals(new float[] {1f, -3.140625f, 256f}, read.floats("bf16"));
            assertArrayEquals(new float[] {0.1f, Float.NEGATIVE_INFINITY}, read.floats("f64"));
            assertArrayEquals(new long[] {Long.MIN_VALUE, -1, 0, 49407}, read.longs("i64"));
            assertArrayEquals(new long[] {Integer.MIN_VALUE, -7, Integer.MAX_VALUE}, read.longs("i32"));
            assertArrayEquals(new long[] {0, 128, 255}, read.longs("u8"));
            assertArrayEquals(new byte[] {0, (byte) 128, (byte) 255}, read.bytes("u8"));
            assertArrayEquals(new float[] {4.25f}, read.floats("scalar"));
            assertEquals(0, read.floats("empty").length);
            assertArrayEquals(new long[] {0, 5}, read.info("empty").shape());
            for (String name : tensors.keySet()) {
                assertEquals(tensors.get(name).dtype(), read.info(name).dtype(), name);
                assertArrayEquals(tensors.get(name).shape(), read.info(name).shape(), name);
            }
        }
    }

    @Test
    void shouldPadTheHeaderWithSpacesToAMultipleOfEightAndLayOutDataInNameOrder() throws IOException {
        byte[] file = writer.toBytes(
                Map.of("b", TensorData.f32(new long[] {1}, 2f), "a", TensorData.u8(new long[] {3}, new byte[3])),
                Map.of());
        long headerLength = java.nio.ByteBuffer.wrap(file, 0, 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong();
        assertEquals(0, headerLength % 8);
        String header = new String(file, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(
                "{\"a\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[0,3]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[3,7]}}",
                header.stripTrailing());
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
        assertEquals(8 + headerLength + 7, file.length);
    }

    @Test
    void shouldWidenEveryBf16BitPatternExactly() throws IOException {
        byte[] raw = new byte[2 * 65536];
        for (int pattern = 0; pattern < 65536; pattern++) {
            raw[2 * pattern] = (byte) pattern;
            raw[2 * pattern + 1] = (byte) (pattern >>> 8);
        }
        float[] widened = readBack(new TensorData(TensorDType.BF16, new long[] {65536}, raw))
                .floats("t");
        for (int pattern = 0; pattern < 65536; pattern++) {
            float expected = Float.intBitsToFloat(pattern << 16);
            if (Float.isNaN(expected)) {
                assertTrue(Float.isNaN(widened[pattern]), "pattern " + pattern);
            } else {
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(widened[pattern]));
            }
        }
        assertEquals(1f, widened[0x3F80]);
        assertEquals(-2f, widened[0xC000]);
        assertEquals(Float.POSITIVE_INFINITY, widened[0x7F80]);
    }

    @Test
    void shouldRoundBf16AndF16WritesToNearestEven() throws IOException {
        // 1 + 2^-8 lies halfway between bf16 neighbours 1 and 1 + 2^-7: ties go to the even mantissa (1).
        float[] bf16 = readBack(TensorData.bf16(new long[] {3}, 1.00390625f, 1.01171875f, Float.NaN))
                .floats("t");
        assertEquals(1f, bf16[0]);
        assertEquals(1.015625f, bf16[1]);
        assertTrue(Float.isNaN(bf16[2]));
        // 1 + 2^-11 is halfway between the halves 1 and 1 + 2^-10.
        float[] f16 = readBack(TensorData.f16(new long[] {3}, 1.00048828125f, 1e-8f, 70000f))
                .floats("t");
        assertArrayEquals(new float[] {1f, 0f, Float.POSITIVE_INFINITY}, f16);
    }

    @Test
    void shouldDecodeKnownHalfPrecisionValues() throws IOException {
        short[] patterns = {0x3C00, (short) 0xC000, 0x0001, 0x7BFF, 0x7C00, (short) 0x8000, 0x3555};
        byte[] raw = new byte[patterns.length * 2];
        for (int i = 0; i < patterns.length; i++) {
            raw[2 * i] = (byte) patterns[i];
            raw[2 * i + 1] = (byte) (patterns[i] >>> 8);
        }
        float[] values = readBack(new TensorData(TensorDType.F16, new long[] {patterns.length}, raw))
                .floats("t");
        assertArrayEquals(new float[] {1f, -2f, 0x1p-24f, 65504f, Float.POSITIVE_INFINITY, -0f, 0.33325195f}, values);
    }

    @Test
    void shouldWidenSignedAndUnsignedIntegersAndBooleans() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.read(new ByteArrayInputStream(writer.toBytes(
                Map.of(
                        "i8", new TensorData(TensorDType.I8, new long[] {2}, new byte[] {-1, 127}),
                        "i16", new TensorData(TensorDType.I16, new long[] {2}, new byte[] {0, (byte) 0x80, 5, 0}),
                        "bool", new TensorData(TensorDType.BOOL, new long[] {2}, new byte[] {1, 0})),
                Map.of())))) {
            assertArrayEquals(new long[] {-1, 127}, file.longs("i8"));
            assertArrayEquals(new long[] {Short.MIN_VALUE, 5}, file.longs("i16"));
            assertArrayEquals(new long[] {1, 0}, file.longs("bool"));
            assertArrayEquals(new byte[] {1, 0}, file.bytes("bool"));
        }
    }

    @Test
    void shouldRejectReadingATensorAsTheWrongKind() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.read(new ByteArrayInputStream(writer.toBytes(
                Map.of("ids", TensorData.i64(new long[] {1}, 3), "w", TensorData.f32(new long[] {1}, 1f)),
                Map.of())))) {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> file.floats("ids"))
                    .getMessage()
                    .contains("I64"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> file.longs("w"))
                    .getMessage()
                    .contains("F32"));
            assertThrows(IllegalArgumentException.class, () -> file.bytes("w"));
        }
    }

    @Test
    void shouldNameTheTensorAndTheFileWhenATensorIsMissing() throws IOException {
        try (SafetensorsFile mixed = SafetensorsFile.open(resource(MIXED))) {
            IllegalArgumentException error =
                    assertThrows(IllegalArgumentException.class, () -> mixed.floats("clip.visual.conv2.weight"));
            assertTrue(error.getMessage().contains("clip.visual.conv2.weight"), error.getMessage());
            assertTrue(error.getMessage().contains("weights-mixed-subset.safetensors"), error.getMessage());
            assertThrows(IllegalArgumentException.class, () -> mixed.info("nope"));
        }
    }

    @Test
    void shouldRefuseReadsAfterClose() throws IOException {
        SafetensorsFile mixed = SafetensorsFile.open(resource(MIXED));
        mixed.close();
        assertThrows(IllegalStateException.class, () -> mixed.floats("clip.logit_scale"));
    }

    @Test
    void shouldRejectInvalidTensorsAtWriteTime() {
        assertThrows(IllegalArgumentException.class, () -> TensorData.f32(new long[] {2, 2}, 1f, 2f, 3f));
        assertThrows(IllegalArgumentException.class, () -> TensorData.f32(new long[] {-1}, 1f));
        Map<String, TensorData> reserved = Map.of("__metadata__", TensorData.f32(new long[] {}, 1f));
        assertThrows(IllegalArgumentException.class, () -> writer.toBytes(reserved, Map.of()));
    }

    @Test
    void shouldKeepRecordsImmutable() {
        long[] shape = {2};
        TensorInfo info = new TensorInfo("x", TensorDType.F32, shape);
        shape[0] = 9;
        info.shape()[0] = 7;
        assertArrayEquals(new long[] {2}, info.shape());
    }

    private SafetensorsFile readBack(TensorData tensor) throws IOException {
        return SafetensorsFile.read(new ByteArrayInputStream(writer.toBytes(Map.of("t", tensor), Map.of())));
    }
}
