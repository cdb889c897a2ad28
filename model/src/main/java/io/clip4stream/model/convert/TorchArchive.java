package io.clip4stream.model.convert;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Objects;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The zip container PyTorch writes for {@code torch.save} and {@code torch.jit.save}: {@code <prefix>/data.pkl}, the
 * storages under {@code <prefix>/data/<key>}, and for TorchScript {@code code/} and {@code constants.pkl}.
 */
final class TorchArchive implements AutoCloseable {

    /** Java arrays hold at most about this many bytes; one storage must fit in one. */
    private static final long MAX_STORAGE_BYTES = Integer.MAX_VALUE - 8;

    private final String source;
    private final ZipFile zip;
    private final String prefix;
    private final boolean torchScript;

    private TorchArchive(String source, ZipFile zip, String prefix, boolean torchScript) {
        this.source = source;
        this.zip = zip;
        this.prefix = prefix;
        this.torchScript = torchScript;
    }

    /** Opens the zip at {@code path} and finds its record prefix; fails on a truncated or foreign zip. */
    static TorchArchive open(Path path) throws IOException {
        String source = path.toString();
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new CheckpointFormatException(
                    source + " is not a complete zip archive (a truncated or interrupted download?): " + e.getMessage(),
                    e);
        }
        try {
            String prefix = null;
            boolean code = false;
            for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                String name = entries.nextElement().getName();
                int slash = name.indexOf('/');
                if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                    prefix = name.substring(0, slash + 1);
                }
                code |= slash > 0 && (name.startsWith("code/", slash + 1) || name.endsWith("/constants.pkl"));
            }
            if (prefix == null) {
                throw new CheckpointFormatException(
                        source + " is a zip archive but not a PyTorch checkpoint (it has no <name>/data.pkl record)");
            }
            ZipEntry byteOrder = zip.getEntry(prefix + "byteorder");
            if (byteOrder != null) {
                String order;
                try (InputStream in = zip.getInputStream(byteOrder)) {
                    order = new String(in.readNBytes(16), StandardCharsets.US_ASCII).strip();
                }
                if (!order.equals("little")) {
                    throw new CheckpointFormatException(source + " was saved on a '" + order
                            + "'-endian machine; only little-endian checkpoints are read");
                }
            }
            return new TorchArchive(source, zip, prefix, code);
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /** Returns whether the archive is TorchScript ({@code torch.jit.save}) rather than {@code torch.save}. */
    boolean isTorchScript() {
        return torchScript;
    }

    /** Returns the file name for messages. */
    String source() {
        return source;
    }

    /** Unpickles {@code data.pkl}, turning storage persistent ids into {@link TorchStorage} records. */
    Object readRoot() throws IOException {
        String name = prefix + "data.pkl";
        byte[] pickle = record(name);
        PickleReader.Dialect dialect =
                torchScript ? PickleReader.Dialect.TORCH_SCRIPT : PickleReader.Dialect.STATE_DICT;
        return PickleReader.read(source + ":" + name, pickle, dialect, this::storage);
    }

    /** Returns the tensor's elements as little-endian bytes in C order, gathering a strided view. */
    byte[] tensorBytes(TorchTensor tensor) throws IOException {
        TorchStorage storage = tensor.storage();
        int elementSize = storage.dtype().byteSize();
        long storageBytes = Math.multiplyExact(storage.elements(), elementSize);
        byte[] stored = record(prefix + "data/" + storage.key());
        if (stored.length < storageBytes) {
            throw new CheckpointFormatException(source + ": storage " + storage.key() + " holds " + stored.length
                    + " bytes, its " + storage.elements() + " " + storage.dtype() + " elements need " + storageBytes);
        }
        return StridedCopy.gather(stored, elementSize, tensor.offset(), tensor.shape(), tensor.stride());
    }

    private Object storage(Object id) throws CheckpointFormatException {
        // torch.save: ('storage', torch.FloatStorage, key, location, numel); the location (cpu, cuda:0) is ignored.
        if (id instanceof java.util.List<?> fields
                && fields.size() == 5
                && "storage".equals(fields.get(0))
                && fields.get(1) instanceof PickleGlobal type
                && fields.get(2) instanceof String key
                && fields.get(4) instanceof Long elements) {
            var dtype = PickleReader.storageType(type);
            if (dtype == null) {
                throw new CheckpointFormatException(source + ": storage " + key + " has type " + type
                        + ", which is not a tensor storage this reader knows");
            }
            if (key.isEmpty() || key.contains("/") || key.contains("..")) {
                throw new CheckpointFormatException(source + ": storage key '" + key + "' is not a record name");
            }
            return new TorchStorage(dtype, key, elements);
        }
        throw new CheckpointFormatException(
                source + ": persistent id " + id + " is not a storage reference ('storage', type, key, location, n)");
    }

    private byte[] record(String name) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new CheckpointFormatException(source + " has no record " + name + " (truncated or incomplete?)");
        }
        long size = entry.getSize();
        if (size > MAX_STORAGE_BYTES) {
            throw new CheckpointFormatException(
                    source + ": record " + name + " is " + size + " bytes, more than one Java array holds");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readAllBytes();
            if (size >= 0 && bytes.length != size) {
                throw new EOFException("read " + bytes.length + " of " + size + " bytes");
            }
            return bytes;
        } catch (ZipException | EOFException e) {
            throw new CheckpointFormatException(
                    source + ": record " + name + " cannot be read completely (" + e.getMessage()
                            + "); the file is truncated or corrupt",
                    e);
        }
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }

    @Override
    public String toString() {
        return "TorchArchive[" + Objects.toString(source) + "]";
    }
}
