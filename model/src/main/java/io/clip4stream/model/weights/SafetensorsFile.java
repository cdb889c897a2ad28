package io.clip4stream.model.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.DoubleBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A validated safetensors file whose tensors are decoded on demand into Java arrays.
 *
 * <p>Files opened from a path are memory-mapped tensor by tensor, so a 350 MB checkpoint is copied into the heap once
 * (into the returned arrays) and never as a whole; the header is fully validated when the file is opened, so every
 * later read either succeeds or fails for a reason unrelated to the format (wrong dtype, unknown name, closed file).
 * Instances are safe to share between threads.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** The reference implementation refuses headers above 100 MB; a larger header is a corrupt length, not metadata. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Java arrays cannot hold more elements than this on common JVMs. */
    private static final long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8;

    private static final String METADATA_KEY = "__metadata__";

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final String source;
    private final ByteSource bytes;
    private final long dataStart;
    private final SortedMap<String, Entry> entries;
    private final SortedMap<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsFile(
            String source,
            ByteSource bytes,
            long dataStart,
            SortedMap<String, Entry> entries,
            SortedMap<String, String> metadata) {
        this.source = source;
        this.bytes = bytes;
        this.dataStart = dataStart;
        this.entries = Collections.unmodifiableSortedMap(entries);
        this.metadata = Collections.unmodifiableSortedMap(metadata);
    }

    /** Opens and validates the file at {@code path}, memory-mapping tensor data as it is read. */
    public static SafetensorsFile open(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return parse(path.toString(), new MappedSource(channel));
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw e;
        }
    }

    /** Reads a whole safetensors file from {@code in} into the heap and validates it; does not close the stream. */
    public static SafetensorsFile read(InputStream in) throws IOException {
        return read(in, "input stream");
    }

    /** Like {@link #read(InputStream)}, naming the stream {@code sourceName} in error messages. */
    public static SafetensorsFile read(InputStream in, String sourceName) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(sourceName, "sourceName");
        return parse(sourceName, new HeapSource(in.readAllBytes()));
    }

    /** Returns the tensor names in ascending order. */
    public NavigableSet<String> names() {
        return Collections.unmodifiableNavigableSet(new TreeSet<>(entries.keySet()));
    }

    /** Returns whether the file holds a tensor called {@code name}. */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /** Returns the dtype and shape of the tensor called {@code name}. */
    public TensorInfo info(String name) {
        return entry(name).info();
    }

    /** Returns the string-to-string {@code __metadata__} entry, empty when the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Returns where this file was read from, as used in error messages. */
    public String source() {
        return source;
    }

    /**
     * Decodes a floating-point tensor: F32 as stored, F16 and BF16 widened exactly, F64 rounded to nearest float.
     *
     * <p>BF16 is widened here in Java because the native engine aborts on BF16 tensors.
     */
    public float[] floats(String name) {
        Entry entry = entry(name);
        TensorDType dtype = entry.info().dtype();
        if (!dtype.isFloatingPoint()) {
            throw wrongType(entry, "a floating-point dtype (F64, F32, F16, BF16)");
        }
        int count = arrayLength(entry);
        float[] out = new float[count];
        ByteBuffer data = data(entry);
        switch (dtype) {
            case F32 -> data.asFloatBuffer().get(out);
            case F16 -> {
                ShortBuffer halves = data.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = Float.float16ToFloat(halves.get(i));
                }
            }
            case BF16 -> {
                // bfloat16 is the upper half of a float32, so widening is a shift and is exact.
                ShortBuffer halves = data.asShortBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = Float.intBitsToFloat((halves.get(i) & 0xFFFF) << 16);
                }
            }
            case F64 -> {
                DoubleBuffer doubles = data.asDoubleBuffer();
                for (int i = 0; i < count; i++) {
                    out[i] = (float) doubles.get(i);
                }
            }
            default -> throw new IllegalStateException("unreachable dtype " + dtype);
        }
        return out;
    }

    /** Decodes an integer or boolean tensor (I64, I32, I16, I8 signed; U8 unsigned; BOOL as stored) into longs. */
    public long[] longs(String name) {
        Entry entry = entry(name);
        TensorDType dtype = entry.info().dtype();
        if (dtype.isFloatingPoint()) {
            throw wrongType(entry, "an integer or boolean dtype (I64, I32, I16, I8, U8, BOOL)");
        }
        int count = arrayLength(entry);
        long[] out = new long[count];
        ByteBuffer data = data(entry);
        switch (dtype) {
            case I64 -> data.asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = data.getInt(i * 4);
                }
            }
            case I16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = data.getShort(i * 2);
                }
            }
            case I8, BOOL -> {
                for (int i = 0; i < count; i++) {
                    out[i] = data.get(i);
                }
            }
            case U8 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = data.get(i) & 0xFF;
                }
            }
            default -> throw new IllegalStateException("unreachable dtype " + dtype);
        }
        return out;
    }

    /** Returns the raw bytes of a one-byte tensor (U8, I8 or BOOL), such as an interleaved RGB image. */
    public byte[] bytes(String name) {
        Entry entry = entry(name);
        TensorDType dtype = entry.info().dtype();
        if (dtype.byteSize() != 1) {
            throw wrongType(entry, "a one-byte dtype (U8, I8, BOOL)");
        }
        byte[] out = new byte[arrayLength(entry)];
        data(entry).get(out);
        return out;
    }

    /** Returns the stored little-endian bytes of any tensor, whatever its dtype, for copying it unchanged. */
    public byte[] rawBytes(String name) {
        Entry entry = entry(name);
        long length = entry.end() - entry.begin();
        if (length > MAX_ARRAY_ELEMENTS) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "' in " + source + " has " + length + " bytes, more than a Java array holds");
        }
        byte[] out = new byte[(int) length];
        data(entry).get(out);
        return out;
    }

    /** Releases the underlying file; arrays already returned stay valid, later reads fail. */
    @Override
    public void close() throws IOException {
        closed = true;
        bytes.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + source + ", " + entries.size() + " tensors]";
    }

    private Entry entry(String name) {
        Objects.requireNonNull(name, "name");
        Entry entry = entries.get(name);
        if (entry == null) {
            throw new IllegalArgumentException(
                    "no tensor named '" + name + "' in " + source + " (" + entries.size() + " tensors)");
        }
        return entry;
    }

    private ByteBuffer data(Entry entry) {
        if (closed) {
            throw new IllegalStateException(
                    source + " is closed; cannot read tensor '" + entry.info().name() + "'");
        }
        try {
            return bytes.slice(dataStart + entry.begin(), Math.toIntExact(entry.end() - entry.begin()))
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tensor '" + entry.info().name() + "' from " + source, e);
        }
    }

    private int arrayLength(Entry entry) {
        long count = entry.info().elementCount();
        if (count > MAX_ARRAY_ELEMENTS) {
            throw new IllegalArgumentException("tensor '" + entry.info().name() + "' in " + source + " has " + count
                    + " elements, more than a Java array holds");
        }
        return (int) count;
    }

    private IllegalArgumentException wrongType(Entry entry, String expected) {
        return new IllegalArgumentException("tensor '" + entry.info().name() + "' in " + source + " has dtype "
                + entry.info().dtype() + ", expected " + expected);
    }

    private static SafetensorsFile parse(String source, ByteSource bytes) throws IOException {
        long size = bytes.size();
        if (size < 8) {
            throw new SafetensorsFormatException(
                    source + ": " + size + " bytes is too short for the 8-byte header length of a safetensors file");
        }
        long headerLength = bytes.slice(0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        // A u64 above 2^63 reads as negative; either way it cannot be a real header.
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw new SafetensorsFormatException(source + ": header length " + Long.toUnsignedString(headerLength)
                    + " is outside 2.." + MAX_HEADER_BYTES + " bytes");
        }
        if (8 + headerLength > size) {
            throw new SafetensorsFormatException(source + ": header of " + headerLength
                    + " bytes runs past the end of the file (" + size + " bytes)");
        }
        String header = decodeUtf8(source, bytes.slice(8, (int) headerLength));
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(source + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(source + ": header must be a JSON object");
        }
        long dataLength = size - 8 - headerLength;
        SortedMap<String, Entry> entries = new TreeMap<>();
        SortedMap<String, String> metadata = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata.putAll(parseMetadata(source, field.getValue()));
            } else {
                Entry entry = parseEntry(source, field.getKey(), field.getValue());
                if (entry.end() > dataLength) {
                    throw new SafetensorsFormatException(source + ": tensor '" + field.getKey() + "' data_offsets ["
                            + entry.begin() + ", " + entry.end() + "] run past the data section of " + dataLength
                            + " bytes");
                }
                entries.put(field.getKey(), entry);
            }
        }
        checkLayout(source, entries, dataLength);
        return new SafetensorsFile(source, bytes, 8 + headerLength, entries, metadata);
    }

    private static String decodeUtf8(String source, ByteBuffer header) throws SafetensorsFormatException {
        try {
            CharBuffer chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(header);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(source + ": header is not valid UTF-8", e);
        }
    }

    private static Map<String, String> parseMetadata(String source, JsonNode node) throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw new SafetensorsFormatException(source + ": " + METADATA_KEY + " must be a JSON object of strings");
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!field.getValue().isTextual()) {
                throw new SafetensorsFormatException(source + ": " + METADATA_KEY + " value for '" + field.getKey()
                        + "' is not a string: " + field.getValue());
            }
            out.put(field.getKey(), field.getValue().textValue());
        }
        return out;
    }

    private static Entry parseEntry(String source, String name, JsonNode node) throws SafetensorsFormatException {
        String where = source + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafetensorsFormatException(where + " must map to a JSON object, not " + node);
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafetensorsFormatException(where + " has no string 'dtype'");
        }
        TensorDType dtype;
        try {
            dtype = TensorDType.valueOf(dtypeNode.textValue());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsFormatException(
                    where + " has unknown or unsupported dtype '" + dtypeNode.textValue() + "'", e);
        }
        long[] shape = nonNegativeLongs(where, "shape", node.get("shape"));
        long[] offsets = nonNegativeLongs(where, "data_offsets", node.get("data_offsets"));
        if (offsets.length != 2 || offsets[0] > offsets[1]) {
            throw new SafetensorsFormatException(
                    where + " data_offsets must be [begin, end] with begin <= end, not " + node.get("data_offsets"));
        }
        TensorInfo info = new TensorInfo(name, dtype, shape);
        long expected;
        try {
            expected = info.byteSize();
        } catch (ArithmeticException e) {
            throw new SafetensorsFormatException(where + " shape " + node.get("shape") + " overflows", e);
        }
        if (offsets[1] - offsets[0] != expected) {
            throw new SafetensorsFormatException(where + " data_offsets [" + offsets[0] + ", " + offsets[1]
                    + "] span " + (offsets[1] - offsets[0]) + " bytes but " + dtype + " " + node.get("shape")
                    + " needs " + expected);
        }
        return new Entry(info, offsets[0], offsets[1]);
    }

    private static long[] nonNegativeLongs(String where, String key, JsonNode node) throws SafetensorsFormatException {
        if (node == null || !node.isArray()) {
            throw new SafetensorsFormatException(where + " has no array '" + key + "'");
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode value = node.get(i);
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
                throw new SafetensorsFormatException(
                        where + " '" + key + "' must hold non-negative integers, not " + node);
            }
            out[i] = value.longValue();
        }
        return out;
    }

    /** Requires the tensors to tile the data section exactly, as the reference implementation does. */
    private static void checkLayout(String source, SortedMap<String, Entry> entries, long dataLength)
            throws SafetensorsFormatException {
        List<Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expectedBegin = 0;
        Entry previous = null;
        for (Entry entry : byOffset) {
            if (entry.begin() < expectedBegin) {
                throw new SafetensorsFormatException(
                        source + ": tensor '" + entry.info().name()
                                + "' overlaps tensor '" + previous.info().name() + "' (begins at " + entry.begin()
                                + ", before " + expectedBegin + ")");
            }
            if (entry.begin() > expectedBegin) {
                throw new SafetensorsFormatException(source + ": " + (entry.begin() - expectedBegin)
                        + " unclaimed bytes before tensor '" + entry.info().name() + "' at data offset "
                        + expectedBegin);
            }
            expectedBegin = entry.end();
            previous = entry;
        }
        if (expectedBegin != dataLength) {
            throw new SafetensorsFormatException(
                    source + ": tensors cover " + expectedBegin + " bytes but the data section has " + dataLength);
        }
    }

    private record Entry(TensorInfo info, long begin, long end) {}

    /** Random access to the bytes of a file, whether mapped from disk or held in the heap. */
    private interface ByteSource extends AutoCloseable {
        long size() throws IOException;

        ByteBuffer slice(long offset, int length) throws IOException;

        @Override
        void close() throws IOException;
    }

    private record HeapSource(byte[] content) implements ByteSource {
        @Override
        public long size() {
            return content.length;
        }

        @Override
        public ByteBuffer slice(long offset, int length) {
            return ByteBuffer.wrap(content, Math.toIntExact(offset), length).slice();
        }

        @Override
        public void close() {
            // Nothing to release: the array goes with the garbage collector.
        }
    }

    private record MappedSource(FileChannel channel) implements ByteSource {
        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public ByteBuffer slice(long offset, int length) throws IOException {
            // Each read maps only its own tensor so files beyond 2 GB work and no buffer is shared between threads.
            return length == 0 ? ByteBuffer.allocate(0) : channel.map(FileChannel.MapMode.READ_ONLY, offset, length);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
