package io.clip4stream.model.convert;

import io.clip4stream.model.weights.SafetensorsFile;
import io.clip4stream.model.weights.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Opens a checkpoint file of any supported format, recognised by its first bytes, as a {@link StateDict}: a
 * {@code torch.save} zip (a state dict, or a dict holding one under {@code state_dict} as MMAction2 writes), the same
 * in the legacy pre-1.6 {@code torch.save} format, a
 * TorchScript archive (the tensors of the module tree) or a safetensors file.
 */
public final class StateDictReader {

    private StateDictReader() {}

    /** Reads the tensor index of {@code path}; tensor bytes are read later, when they are written. */
    public static StateDict open(Path path) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(16);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no checkpoint file");
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return openTorch(path);
        }
        if (head.length >= 9 && head[8] == '{') {
            long headerLength =
                    ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLength > 0 && headerLength < Files.size(path)) {
                return openSafetensors(path);
            }
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            return openLegacyTorch(path);
        }
        throw new CheckpointFormatException(path + " is neither a PyTorch zip checkpoint, a TorchScript archive nor a"
                + " safetensors file (" + head.length + " leading bytes: " + hex(head) + ")");
    }

    private static StateDict openSafetensors(Path path) throws IOException {
        SafetensorsFile file = SafetensorsFile.open(path);
        Map<String, SourceTensor> tensors = new LinkedHashMap<>();
        for (String name : file.names()) {
            TensorInfo info = file.info(name);
            tensors.put(name, new SourceTensor(info.dtype(), info.shape(), () -> file.rawBytes(name)));
        }
        return new StateDict(path.toString(), SourceFormat.SAFETENSORS, tensors, file::close);
    }

    private static StateDict openTorch(Path path) throws IOException {
        TorchArchive archive = TorchArchive.open(path);
        try {
            Object root = archive.readRoot();
            Map<String, SourceTensor> tensors = new LinkedHashMap<>();
            if (archive.isTorchScript()) {
                if (!(root instanceof TorchScriptObject module)) {
                    throw new CheckpointFormatException(
                            path + ": the TorchScript archive's data.pkl holds " + describe(root) + ", not a module");
                }
                collectModule(archive, "", module, tensors);
                return new StateDict(path.toString(), SourceFormat.TORCH_SCRIPT, tensors, archive::close);
            }
            Map<?, ?> state = stateDict(path, root);
            for (Map.Entry<?, ?> entry : state.entrySet()) {
                if (!(entry.getKey() instanceof String name)) {
                    throw new CheckpointFormatException(
                            path + ": state dict key " + entry.getKey() + " is not a string");
                }
                if (!(entry.getValue() instanceof TorchTensor tensor)) {
                    throw new CheckpointFormatException(path + ": state dict entry " + name + " is "
                            + describe(entry.getValue()) + ", not a tensor");
                }
                tensors.put(name, source(archive, tensor));
            }
            return new StateDict(path.toString(), SourceFormat.TORCH_SAVE, tensors, archive::close);
        } catch (IOException | RuntimeException e) {
            archive.close();
            throw e;
        }
    }

    private static StateDict openLegacyTorch(Path path) throws IOException {
        LegacyTorchFile file = LegacyTorchFile.open(path);
        try {
            Map<String, SourceTensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : stateDict(path, file.root()).entrySet()) {
                if (!(entry.getKey() instanceof String name)) {
                    throw new CheckpointFormatException(
                            path + ": state dict key " + entry.getKey() + " is not a string");
                }
                if (!(entry.getValue() instanceof TorchTensor tensor)) {
                    throw new CheckpointFormatException(path + ": state dict entry " + name + " is "
                            + describe(entry.getValue()) + ", not a tensor");
                }
                tensors.put(
                        name,
                        new SourceTensor(tensor.storage().dtype(), tensor.shape(), () -> file.tensorBytes(tensor)));
            }
            return new StateDict(path.toString(), SourceFormat.LEGACY_TORCH_SAVE, tensors, file::close);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The state dict itself, or the one a training framework's checkpoint dict holds under {@code state_dict}. */
    private static Map<?, ?> stateDict(Path path, Object root) throws CheckpointFormatException {
        if (!(root instanceof Map<?, ?> map)) {
            throw new CheckpointFormatException(path + " holds " + describe(root) + ", not a state dict");
        }
        if (map.get("state_dict") instanceof Map<?, ?> nested) {
            return nested;
        }
        return map;
    }

    /**
     * Adds every tensor attribute of a TorchScript module tree under its dotted path, as {@code state_dict()} names
     * parameters and buffers; other attributes (flags, strings, None) are not weights.
     */
    private static void collectModule(
            TorchArchive archive, String prefix, TorchScriptObject module, Map<String, SourceTensor> tensors) {
        for (Map.Entry<String, Object> attribute : module.attributes().entrySet()) {
            String name = prefix + attribute.getKey();
            if (attribute.getValue() instanceof TorchTensor tensor) {
                tensors.put(name, source(archive, tensor));
            } else if (attribute.getValue() instanceof TorchScriptObject child) {
                collectModule(archive, name + ".", child, tensors);
            }
        }
    }

    private static SourceTensor source(TorchArchive archive, TorchTensor tensor) {
        return new SourceTensor(tensor.storage().dtype(), tensor.shape(), () -> archive.tensorBytes(tensor));
    }

    private static String describe(Object value) {
        return value == null ? "None" : "a " + value.getClass().getSimpleName();
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("%02x", b & 0xFF));
        }
        return out.toString();
    }
}
