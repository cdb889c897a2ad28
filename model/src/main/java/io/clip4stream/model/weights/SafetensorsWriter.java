package io.clip4stream.model.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes named tensors and string metadata in the safetensors format: u64 header length, a JSON header padded with
 * spaces to a multiple of 8 bytes, then the tensor data laid out contiguously in name order.
 */
public final class SafetensorsWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Creates a writer; it holds no state, so one instance can be shared. */
    public SafetensorsWriter() {}

    /** Writes {@code tensors} and {@code metadata} to {@code path}, replacing any existing file. */
    public void write(Path path, Map<String, TensorData> tensors, Map<String, String> metadata) throws IOException {
        Objects.requireNonNull(path, "path");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path))) {
            write(out, tensors, metadata);
        } catch (IOException e) {
            throw new IOException("cannot write safetensors file " + path, e);
        }
    }

    /** Writes {@code tensors} and {@code metadata} to {@code out}, which is left open. */
    public void write(OutputStream out, Map<String, TensorData> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(out, "out");
        SortedMap<String, TensorData> sorted = sortedAndChecked(tensors);
        SortedMap<String, TensorInfo> infos = new TreeMap<>();
        sorted.forEach((name, tensor) -> infos.put(name, new TensorInfo(name, tensor.dtype(), tensor.shape())));
        byte[] header = header(infos, Objects.requireNonNull(metadata, "metadata"));
        out.write(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length)
                .array());
        out.write(header);
        for (TensorData tensor : sorted.values()) {
            tensor.writeTo(out);
        }
        out.flush();
    }

    /**
     * A tensor whose bytes are produced only when the writer reaches it, so that converting a large checkpoint never
     * holds all of it in memory.
     */
    public interface TensorSource {
        /** Returns the element type. */
        TensorDType dtype();

        /** Returns the dimensions in C order. */
        long[] shape();

        /** Returns the elements as little-endian bytes in C order; called once, when the tensor is written. */
        byte[] littleEndianBytes() throws IOException;
    }

    /**
     * Writes {@code tensors} one at a time to a temporary file next to {@code path}, then renames it over
     * {@code path}, so that a failed conversion never leaves a partial weights file under the final name.
     */
    public void writeStreaming(Path path, Map<String, ? extends TensorSource> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(path, "path");
        SortedMap<String, TensorSource> sorted = new TreeMap<>();
        SortedMap<String, TensorInfo> infos = new TreeMap<>();
        Objects.requireNonNull(tensors, "tensors").forEach((name, tensor) -> {
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("invalid tensor name '" + name + "'");
            }
            sorted.put(name, Objects.requireNonNull(tensor, () -> "tensor '" + name + "' is null"));
            infos.put(name, new TensorInfo(name, tensor.dtype(), tensor.shape()));
        });
        byte[] header = header(infos, Objects.requireNonNull(metadata, "metadata"));
        Path partial = path.resolveSibling(path.getFileName() + ".partial");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 20)) {
            out.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length)
                    .array());
            out.write(header);
            for (Map.Entry<String, TensorSource> entry : sorted.entrySet()) {
                byte[] bytes = entry.getValue().littleEndianBytes();
                long expected = infos.get(entry.getKey()).byteSize();
                if (bytes.length != expected) {
                    throw new IOException("tensor " + entry.getKey() + " produced " + bytes.length
                            + " bytes, its dtype and shape need " + expected);
                }
                out.write(bytes);
            }
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw new IOException("cannot write safetensors file " + path, e);
        } catch (RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Returns the complete file content for {@code tensors} and {@code metadata}. */
    public byte[] toBytes(Map<String, TensorData> tensors, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory stream failed", e);
        }
        return out.toByteArray();
    }

    private static SortedMap<String, TensorData> sortedAndChecked(Map<String, TensorData> tensors) {
        Objects.requireNonNull(tensors, "tensors");
        SortedMap<String, TensorData> sorted = new TreeMap<>();
        tensors.forEach((name, tensor) -> {
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("invalid tensor name '" + name + "'");
            }
            sorted.put(name, Objects.requireNonNull(tensor, () -> "tensor '" + name + "' is null"));
        });
        return sorted;
    }

    private static byte[] header(SortedMap<String, TensorInfo> tensors, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, TensorInfo> entry : tensors.entrySet()) {
            TensorInfo tensor = entry.getValue();
            ObjectNode node = root.putObject(entry.getKey());
            node.put("dtype", tensor.dtype().name());
            ArrayNode shape = node.putArray("shape");
            for (long dim : tensor.shape()) {
                shape.add(dim);
            }
            long end = offset + tensor.byteSize();
            node.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise safetensors header", e);
        }
        // Padding keeps the data section 8-byte aligned relative to the file start, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        System.arraycopy(json, 0, header, 0, json.length);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }
}
