package io.clip4stream.model.weights;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsFormatTest {

    @TempDir
    Path tempDir;

    /** A header for one F32 tensor of shape [2] (8 bytes), to be followed by {@code dataBytes} bytes of data. */
    private static byte[] file(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return file(json.length, json, dataBytes);
    }

    private static byte[] file(long declaredLength, byte[] header, int dataBytes) {
        return ByteBuffer.allocate(8 + header.length + dataBytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(declaredLength)
                .put(header)
                .array();
    }

    private static String tensor(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
                + end + "]}";
    }

    static Stream<Arguments> malformedFiles() {
        String ok = tensor("a", "F32", "[2]", 0, 8);
        byte[] validHeader = ("{" + ok + "}").getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of("file shorter than the length prefix", new byte[] {1, 0, 0}, "too short"),
                Arguments.of("header length past EOF", file(validHeader.length + 100, validHeader, 8), "past the end"),
                Arguments.of("absurd header length", file(1L << 40, validHeader, 8), "outside"),
                Arguments.of("header length with the top bit set", file(-8, validHeader, 8), "outside"),
                Arguments.of("zero header length", file(0, new byte[0], 0), "outside"),
                Arguments.of("invalid JSON", file("{\"a\":{\"dtype\":", 8), "not valid JSON"),
                Arguments.of("trailing JSON tokens", file("{" + ok + "} {}", 8), "not valid JSON"),
                Arguments.of("header is an array", file("[1,2]", 0), "JSON object"),
                Arguments.of("invalid UTF-8", file(4, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, 0), "UTF-8"),
                Arguments.of("duplicate tensor name", file("{" + ok + "," + ok + "}", 8), "not valid JSON"),
                Arguments.of("unknown dtype", file("{" + tensor("a", "F8_E4M3", "[8]", 0, 8) + "}", 8), "F8_E4M3"),
                Arguments.of("missing dtype", file("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "dtype"),
                Arguments.of(
                        "missing data_offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "data_offsets"),
                Arguments.of("tensor is not an object", file("{\"a\":3}", 0), "JSON object"),
                Arguments.of("negative dimension", file("{" + tensor("a", "F32", "[-2]", 0, 8) + "}", 8), "shape"),
                Arguments.of("fractional dimension", file("{" + tensor("a", "F32", "[1.5]", 0, 8) + "}", 8), "shape"),
                Arguments.of("offsets past the data", file("{" + tensor("a", "F32", "[2]", 0, 8) + "}", 4), "run past"),
                Arguments.of(
                        "offsets disagree with shape",
                        file("{" + tensor("a", "F32", "[3]", 0, 8) + "}", 8),
                        "needs 12"),
                Arguments.of(
                        "offsets disagree with dtype", file("{" + tensor("a", "F16", "[2]", 0, 8) + "}", 8), "needs 4"),
                Arguments.of("begin after end", file("{" + tensor("a", "F32", "[0]", 8, 0) + "}", 8), "begin <= end"),
                Arguments.of(
                        "overlapping tensors",
                        file("{" + ok + "," + tensor("b", "F32", "[2]", 4, 12) + "}", 12),
                        "overlaps"),
                Arguments.of(
                        "gap between tensors",
                        file("{" + ok + "," + tensor("b", "F32", "[1]", 12, 16) + "}", 16),
                        "unclaimed"),
                Arguments.of("trailing data bytes", file("{" + ok + "}", 12), "data section has 12"),
                Arguments.of(
                        "shape overflows",
                        file("{" + tensor("a", "F64", "[4294967296,4294967296]", 0, 8) + "}", 8),
                        "overflows"),
                Arguments.of(
                        "metadata value not a string",
                        file("{\"__metadata__\":{\"k\":1}," + ok + "}", 8),
                        "not a string"),
                Arguments.of("metadata not an object", file("{\"__metadata__\":[]," + ok + "}", 8), "__metadata__"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void shouldRejectMalformedStreamsWithATypedException(String description, byte[] content, String fragment) {
        SafetensorsFormatException error = assertThrows(
                SafetensorsFormatException.class,
                () -> SafetensorsFile.read(new ByteArrayInputStream(content), "case.safetensors"));
        assertTrue(error.getMessage().contains(fragment), description + ": " + error.getMessage());
        assertTrue(error.getMessage().contains("case.safetensors"), error.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFiles")
    void shouldRejectMalformedFilesOnDiskNamingThePath(String description, byte[] content, String fragment)
            throws IOException {
        Path path = tempDir.resolve("bad.safetensors");
        Files.write(path, content);
        SafetensorsFormatException error =
                assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(path));
        assertTrue(error.getMessage().contains(fragment), description + ": " + error.getMessage());
        assertTrue(error.getMessage().contains(path.toString()), error.getMessage());
    }
}
