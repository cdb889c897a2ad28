package io.clip4stream.model.convert;

import io.clip4stream.model.weights.TensorDType;
import io.clip4stream.model.weights.TensorData;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes PyTorch zip checkpoints and TorchScript archives in Java, in the layout {@code torch.save} and
 * {@code torch.jit.save} use, so that the readers are tested without Python; the files written by real PyTorch are
 * covered by {@code ConvertCheckpointIT}.
 */
final class TorchFiles {

    private static final Map<TensorDType, String> STORAGES = Map.of(
            TensorDType.F32, "FloatStorage",
            TensorDType.F16, "HalfStorage",
            TensorDType.BF16, "BFloat16Storage",
            TensorDType.F64, "DoubleStorage",
            TensorDType.I64, "LongStorage");

    private TorchFiles() {}

    /** A tensor to write; {@code transposed} stores a 2-D tensor as the transpose of its storage, like {@code .t()}. */
    record Entry(TensorData data, boolean transposed) {}

    /** {@code torch.save(OrderedDict(tensors), path)}. */
    static void writeStateDict(Path path, Map<String, TensorData> tensors) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        tensors.forEach((name, data) -> entries.put(name, new Entry(data, false)));
        write(path, "archive", entries, false, false);
    }

    /** {@code torch.save({'meta': {...numpy scalars...}, 'state_dict': OrderedDict(tensors)}, path)}, as MMAction2. */
    static void writeMmactionCheckpoint(Path path, Map<String, Entry> tensors) throws IOException {
        write(path, "archive", tensors, true, false);
    }

    /**
     * {@code torch.save(OrderedDict(tensors), path, _use_new_zipfile_serialization=False)}: the pre-1.6 format of
     * magic number, version, system info, the state dict, the storage keys, then each storage's count and bytes.
     */
    static void writeLegacyStateDict(Path path, Map<String, Entry> tensors) throws IOException {
        List<byte[]> storages = new ArrayList<>();
        PickleBytes state = PickleBytes.protocol(2);
        state.global("collections", "OrderedDict").emptyTuple().reduce().mark();
        for (Map.Entry<String, Entry> entry : tensors.entrySet()) {
            state.string(entry.getKey());
            tensor(state, entry.getValue(), storages, true);
        }
        state.setItems();
        PickleBytes keys = PickleBytes.protocol(2).emptyList().mark();
        // PyTorch sorts the keys as strings, so "10" precedes "2"; the reader must follow the list, not assume order.
        List<String> sorted = new ArrayList<>();
        for (int i = 0; i < storages.size(); i++) {
            sorted.add(Integer.toString(i));
        }
        java.util.Collections.sort(sorted);
        sorted.forEach(keys::string);
        keys.appends();
        byte[] magic = {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
        try (OutputStream file = Files.newOutputStream(path)) {
            file.write(PickleBytes.protocol(2).longBytes(magic).stop());
            file.write(PickleBytes.protocol(2).integer(1001).stop());
            file.write(PickleBytes.protocol(2)
                    .emptyDict()
                    .mark()
                    .string("protocol_version")
                    .integer(1001)
                    .string("little_endian")
                    .bool(true)
                    .string("type_sizes")
                    .emptyDict()
                    .mark()
                    .string("short")
                    .integer(2)
                    .string("int")
                    .integer(4)
                    .string("long")
                    .integer(4)
                    .setItems()
                    .setItems()
                    .stop());
            file.write(state.stop());
            file.write(keys.stop());
            for (String key : sorted) {
                byte[] bytes = storages.get(Integer.parseInt(key));
                Entry owner = tensors.values().stream().toList().get(Integer.parseInt(key));
                long elements = bytes.length / owner.data().dtype().byteSize();
                file.write(java.nio.ByteBuffer.allocate(8)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .putLong(elements)
                        .array());
                file.write(bytes);
            }
        }
    }

    /** {@code torch.jit.save} of a module tree whose attributes are the dotted names of {@code tensors}. */
    static void writeTorchScript(Path path, Map<String, TensorData> tensors) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        tensors.forEach((name, data) -> entries.put(name, new Entry(data, false)));
        write(path, "model", entries, false, true);
    }

    private static void write(Path path, String prefix, Map<String, Entry> tensors, boolean mmaction, boolean script)
            throws IOException {
        List<byte[]> storages = new ArrayList<>();
        PickleBytes pickle = PickleBytes.protocol(2);
        if (script) {
            Node root = new Node();
            tensors.forEach((name, entry) -> root.insert(name.split("\\."), 0, entry));
            writeModule(pickle, "__torch__.Model", root, storages);
        } else {
            if (mmaction) {
                pickle.emptyDict()
                        .mark()
                        .string("meta")
                        .emptyDict()
                        .mark()
                        .string("epoch")
                        .integer(5);
                pickle.string("lr");
                numpyScalar(pickle, 1.0e-5);
                pickle.setItems().string("state_dict");
            }
            pickle.global("collections", "OrderedDict").emptyTuple().reduce().mark();
            for (Map.Entry<String, Entry> entry : tensors.entrySet()) {
                pickle.string(entry.getKey());
                tensor(pickle, entry.getValue(), storages, false);
            }
            pickle.setItems();
            // state_dict() carries module versions as instance state; the reader must accept and ignore it.
            pickle.emptyDict().mark().string("_metadata").emptyDict().setItems().build();
            if (mmaction) {
                pickle.setItems();
            }
        }
        byte[] data = pickle.stop();
        try (OutputStream file = Files.newOutputStream(path);
                ZipOutputStream zip = new ZipOutputStream(file)) {
            entry(zip, prefix + "/data.pkl", data);
            entry(zip, prefix + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < storages.size(); i++) {
                entry(zip, prefix + "/data/" + i, storages.get(i));
            }
            if (script) {
                entry(
                        zip,
                        prefix + "/code/__torch__.py",
                        "class Model(Module):\n  pass\n".getBytes(StandardCharsets.UTF_8));
                entry(
                        zip,
                        prefix + "/constants.pkl",
                        PickleBytes.protocol(2).emptyTuple().stop());
            }
            entry(zip, prefix + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** A numpy float64 scalar as protocol 2 pickles it: scalar(dtype('f8', False, True), _codecs.encode(...)). */
    private static void numpyScalar(PickleBytes pickle, double value) {
        byte[] bytes = java.nio.ByteBuffer.allocate(8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putDouble(value)
                .array();
        pickle.global("numpy.core.multiarray", "scalar");
        pickle.global("numpy", "dtype")
                .mark()
                .string("f8")
                .bool(false)
                .bool(true)
                .tuple()
                .reduce();
        pickle.mark()
                .integer(3)
                .string("<")
                .none()
                .none()
                .none()
                .integer(-1)
                .integer(-1)
                .integer(0)
                .tuple()
                .build();
        pickle.global("_codecs", "encode")
                .mark()
                .string(new String(bytes, StandardCharsets.ISO_8859_1))
                .string("latin1")
                .tuple()
                .reduce();
        pickle.op(0x86).reduce(); // TUPLE2 of (dtype, bytes), then scalar(...)
    }

    private static final class Node {
        final Map<String, Object> children = new LinkedHashMap<>();

        void insert(String[] path, int at, Entry entry) {
            if (at == path.length - 1) {
                children.put(path[at], entry);
            } else {
                ((Node) children.computeIfAbsent(path[at], k -> new Node())).insert(path, at + 1, entry);
            }
        }
    }

    private static void writeModule(PickleBytes pickle, String className, Node node, List<byte[]> storages) {
        int dot = className.lastIndexOf('.');
        pickle.global(className.substring(0, dot), className.substring(dot + 1))
                .emptyTuple()
                .newObject();
        pickle.emptyDict().mark().string("training").bool(false);
        for (Map.Entry<String, Object> child : node.children.entrySet()) {
            pickle.string(child.getKey());
            if (child.getValue() instanceof Entry entry) {
                tensor(pickle, entry, storages, false);
            } else {
                writeModule(pickle, "__torch__.Module_" + child.getKey(), (Node) child.getValue(), storages);
            }
        }
        pickle.setItems().build();
    }

    private static void tensor(PickleBytes pickle, Entry entry, List<byte[]> storages, boolean legacy) {
        TensorData data = entry.data();
        long[] shape = data.shape();
        byte[] bytes = data.littleEndianBytes();
        long[] stride = contiguousStride(shape);
        if (entry.transposed()) {
            // Store the transpose contiguously and describe the tensor as its strided view, as x.t() would be saved.
            int size = data.dtype().byteSize();
            byte[] storage = new byte[bytes.length];
            for (long i = 0; i < shape[0]; i++) {
                for (long j = 0; j < shape[1]; j++) {
                    System.arraycopy(
                            bytes, (int) ((i * shape[1] + j) * size), storage, (int) ((j * shape[0] + i) * size), size);
                }
            }
            bytes = storage;
            stride = new long[] {1, shape[0]};
        }
        String key = Integer.toString(storages.size());
        storages.add(bytes);
        long elements = bytes.length / data.dtype().byteSize();
        pickle.global("torch._utils", "_rebuild_tensor_v2").mark();
        pickle.mark()
                .string("storage")
                .global("torch", STORAGES.get(data.dtype()))
                .string(key)
                .string("cpu")
                .integer(elements);
        if (legacy) {
            pickle.none(); // view_metadata: no storage is a view of another since PyTorch 0.4
        }
        pickle.tuple().persistentId();
        pickle.integer(0).ints(shape).ints(stride).bool(false);
        pickle.global("collections", "OrderedDict").emptyTuple().reduce();
        pickle.tuple().reduce();
    }

    private static long[] contiguousStride(long[] shape) {
        long[] stride = new long[shape.length];
        long step = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = step;
            step *= shape[d];
        }
        return stride;
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        // PyTorch stores records uncompressed (so that they can be memory-mapped); so do these files.
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }
}
