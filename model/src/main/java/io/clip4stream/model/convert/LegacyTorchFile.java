package io.clip4stream.model.convert;

import java.io.EOFException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint in the legacy {@code torch.save} format (PyTorch before 1.6, or
 * {@code _use_new_zipfile_serialization=False}): five pickles in a row (magic number, protocol version, system info,
 * the saved object, the sorted storage keys) followed by every storage, in key order, as an int64 element count and
 * its raw little-endian bytes.
 *
 * <p>Only the pickled header is held in memory; tensor bytes are read from the file when a tensor is asked for, so a
 * large checkpoint costs one tensor at a time.
 */
final class LegacyTorchFile implements AutoCloseable {

    /** The first pickle of every legacy file (torch/serialization.py's MAGIC_NUMBER). */
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    /** The format version the second pickle carries; PyTorch has written 1001 since 0.1. */
    static final long PROTOCOL_VERSION = 1001;

    /** Header bytes read first; a state dict's header is tens of kilobytes, so one read is the common case. */
    private static final int FIRST_HEADER_READ = 1 << 20;

    /** Java arrays hold at most about this many bytes; the header and each storage must fit in one. */
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    private final String source;
    private final FileChannel channel;
    private final Object root;
    private final Map<String, Long> dataOffsets;

    private LegacyTorchFile(String source, FileChannel channel, Object root, Map<String, Long> dataOffsets) {
        this.source = source;
        this.channel = channel;
        this.root = root;
        this.dataOffsets = dataOffsets;
    }

    /** Opens {@code path}, reads its pickled header and locates every storage; fails on a truncated file. */
    static LegacyTorchFile open(Path path) throws IOException {
        String source = path.toString();
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            long size = channel.size();
            long headerRead = Math.min(size, FIRST_HEADER_READ);
            while (true) {
                byte[] head = read(source, channel, 0, (int) headerRead);
                try {
                    return parse(source, channel, head, size);
                } catch (TruncatedPickleException e) {
                    if (headerRead >= Math.min(size, MAX_ARRAY_BYTES)) {
                        throw new CheckpointFormatException(
                                source + " ends inside its pickled header (a truncated or interrupted download?)", e);
                    }
                    headerRead = Math.min(Math.min(size, MAX_ARRAY_BYTES), headerRead * 8);
                }
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Returns the saved object: a state dict, or a dict holding one. */
    Object root() {
        return root;
    }

    /** Returns the tensor's elements as little-endian bytes in C order, gathering a strided view. */
    byte[] tensorBytes(TorchTensor tensor) throws IOException {
        TorchStorage storage = tensor.storage();
        Long offset = dataOffsets.get(storage.key());
        if (offset == null) {
            throw new CheckpointFormatException(
                    source + ": storage " + storage.key() + " is not among the storages the file lists");
        }
        long bytes = Math.multiplyExact(storage.elements(), storage.dtype().byteSize());
        if (bytes > MAX_ARRAY_BYTES) {
            throw new CheckpointFormatException(
                    source + ": storage " + storage.key() + " is " + bytes + " bytes, more than one Java array holds");
        }
        byte[] stored = read(source, channel, offset, (int) bytes);
        return StridedCopy.gather(stored, storage.dtype().byteSize(), tensor.offset(), tensor.shape(), tensor.stride());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static LegacyTorchFile parse(String source, FileChannel channel, byte[] head, long size)
            throws IOException {
        PickleReader.PersistentLoader none = id -> {
            throw new CheckpointFormatException(source + ": unexpected persistent id " + id + " in the file header");
        };
        PickleReader.Pickled magic = PickleReader.readAt(source, head, 0, PickleReader.Dialect.STATE_DICT, none);
        if (!(magic.value() instanceof BigInteger number) || !number.equals(MAGIC)) {
            throw new CheckpointFormatException(
                    source + " starts with a pickle but not with torch.save's magic number: not a PyTorch checkpoint");
        }
        PickleReader.Pickled version =
                PickleReader.readAt(source, head, magic.end(), PickleReader.Dialect.STATE_DICT, none);
        if (!(version.value() instanceof Long formatVersion) || formatVersion != PROTOCOL_VERSION) {
            throw new CheckpointFormatException(source + ": legacy torch.save format version " + version.value()
                    + " is not the supported " + PROTOCOL_VERSION);
        }
        PickleReader.Pickled systemInfo =
                PickleReader.readAt(source, head, version.end(), PickleReader.Dialect.STATE_DICT, none);
        if (systemInfo.value() instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            throw new CheckpointFormatException(
                    source + " was saved on a big-endian machine; only little-endian checkpoints are read");
        }
        Map<String, TorchStorage> storages = new HashMap<>();
        PickleReader.Pickled object = PickleReader.readAt(
                source, head, systemInfo.end(), PickleReader.Dialect.STATE_DICT, id -> storage(source, id, storages));
        PickleReader.Pickled keys =
                PickleReader.readAt(source, head, object.end(), PickleReader.Dialect.STATE_DICT, none);
        if (!(keys.value() instanceof List<?> keyList)) {
            throw new CheckpointFormatException(source + ": the storage key list is missing after the saved object");
        }
        Map<String, Long> offsets = new HashMap<>();
        long at = keys.end();
        for (Object key : keyList) {
            TorchStorage storage = key instanceof String name ? storages.get(name) : null;
            if (storage == null) {
                throw new CheckpointFormatException(
                        source + ": the file lists storage " + key + ", which no tensor refers to");
            }
            long elements = ByteBuffer.wrap(read(source, channel, at, Long.BYTES))
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .getLong();
            if (elements != storage.elements()) {
                throw new CheckpointFormatException(source + ": storage " + key + " holds " + elements
                        + " elements where the pickle declares " + storage.elements());
            }
            long bytes = Math.multiplyExact(elements, storage.dtype().byteSize());
            long dataOffset = at + Long.BYTES;
            if (dataOffset + bytes > size) {
                throw new CheckpointFormatException(source + ": storage " + key + " needs " + bytes + " bytes at "
                        + dataOffset + " but the file ends at " + size + " (a truncated or interrupted download?)");
            }
            offsets.put((String) key, dataOffset);
            at = dataOffset + bytes;
        }
        if (!offsets.keySet().containsAll(storages.keySet())) {
            throw new CheckpointFormatException(source + ": tensors refer to storages the file does not hold");
        }
        return new LegacyTorchFile(source, channel, object.value(), Map.copyOf(offsets));
    }

    /**
     * Turns a legacy persistent id, {@code ('storage', torch.FloatStorage, key, location, numel, view_metadata)}, into
     * a storage; views of other storages (written only by PyTorch before 0.4) are refused.
     */
    private static Object storage(String source, Object id, Map<String, TorchStorage> storages)
            throws CheckpointFormatException {
        if (id instanceof List<?> fields
                && fields.size() == 6
                && "storage".equals(fields.get(0))
                && fields.get(1) instanceof PickleGlobal type
                && fields.get(2) instanceof String key
                && fields.get(4) instanceof Long elements) {
            if (fields.get(5) != null) {
                throw new CheckpointFormatException(source + ": storage " + key
                        + " is a view of another storage, which only PyTorch before 0.4 wrote; re-save the file"
                        + " with a newer PyTorch");
            }
            var dtype = PickleReader.storageType(type);
            if (dtype == null) {
                throw new CheckpointFormatException(source + ": storage " + key + " has type " + type
                        + ", which is not a tensor storage this reader knows");
            }
            TorchStorage storage = new TorchStorage(dtype, key, elements);
            TorchStorage earlier = storages.putIfAbsent(key, storage);
            return earlier == null ? storage : earlier;
        }
        throw new CheckpointFormatException(source + ": persistent id " + id
                + " is not a storage reference ('storage', type, key, location, n, view)");
    }

    private static byte[] read(String source, FileChannel channel, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, offset + buffer.position());
            if (n < 0) {
                throw new CheckpointFormatException(
                        source + " ends at byte " + (offset + buffer.position()) + " while " + length
                                + " bytes were being read from " + offset + " (truncated?)",
                        new EOFException());
            }
        }
        return buffer.array();
    }
}
