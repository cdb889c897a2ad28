package io.clip4stream.model.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clip4stream.model.weights.TensorDType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PickleReaderTest {

    @TempDir
    Path temp;

    private static final PickleReader.PersistentLoader NO_STORAGES = id -> {
        throw new CheckpointFormatException("no persistent ids expected, got " + id);
    };

    private static Object read(byte[] pickle, PickleReader.Dialect dialect) throws CheckpointFormatException {
        return PickleReader.read("test.pkl", pickle, dialect, NO_STORAGES);
    }

    /** What pickle.dumps(obj, 2) gives for os.system(cmd) or builtins.eval(cmd): GLOBAL, the argument, REDUCE. */
    private static byte[] call(String module, String name, String argument) {
        return PickleBytes.protocol(2)
                .global(module, name)
                .mark()
                .string(argument)
                .tuple()
                .reduce()
                .stop();
    }

    @Test
    void shouldRefuseOsSystemWithoutRunningIt() {
        Path marker = temp.resolve("ran");
        RefusedGlobalException refused = assertThrows(
                RefusedGlobalException.class,
                () -> read(call("os", "system", "touch " + marker), PickleReader.Dialect.STATE_DICT));
        assertEquals("os.system", refused.global());
        assertTrue(refused.getMessage().contains("os.system at byte 2 of test.pkl"), refused.getMessage());
        assertFalse(Files.exists(marker), "nothing ran");
    }

    @Test
    void shouldRefuseBuiltinsEvalEvenInATorchScriptArchive() {
        RefusedGlobalException refused = assertThrows(
                RefusedGlobalException.class,
                () -> read(
                        call("builtins", "eval", "__import__('os').system('id')"), PickleReader.Dialect.TORCH_SCRIPT));
        assertEquals("builtins.eval", refused.global());
    }

    @Test
    void shouldRefuseTheReduceOfAnUnknownClass() {
        byte[] pickle = PickleBytes.protocol(2)
                .global("__main__", "Exploit")
                .emptyTuple()
                .reduce()
                .stop();
        RefusedGlobalException refused =
                assertThrows(RefusedGlobalException.class, () -> read(pickle, PickleReader.Dialect.STATE_DICT));
        assertEquals("__main__.Exploit", refused.global());
    }

    @Test
    void shouldRefuseStackGlobalAsGlobal() {
        byte[] pickle = PickleBytes.protocol(4)
                .string("subprocess")
                .string("Popen")
                .op(0x93)
                .mark()
                .string("id")
                .tuple()
                .reduce()
                .stop();
        RefusedGlobalException refused =
                assertThrows(RefusedGlobalException.class, () -> read(pickle, PickleReader.Dialect.STATE_DICT));
        assertEquals("subprocess.Popen", refused.global());
    }

    @Test
    void shouldRefuseToCallAnAllowedNameThatIsOnlyData() {
        // torch.FloatStorage may appear inside a persistent id, but a pickle that calls it is not a state dict.
        byte[] pickle = PickleBytes.protocol(2)
                .global("torch", "FloatStorage")
                .emptyTuple()
                .reduce()
                .stop();
        RefusedGlobalException refused =
                assertThrows(RefusedGlobalException.class, () -> read(pickle, PickleReader.Dialect.STATE_DICT));
        assertEquals("torch.FloatStorage", refused.global());
    }

    @Test
    void shouldOnlyAcceptTorchScriptClassesInsideTorchScriptArchives() throws Exception {
        byte[] pickle = PickleBytes.protocol(2)
                .global("__torch__", "Clip")
                .emptyTuple()
                .newObject()
                .emptyDict()
                .mark()
                .string("training")
                .bool(false)
                .setItems()
                .build()
                .stop();
        assertThrows(RefusedGlobalException.class, () -> read(pickle, PickleReader.Dialect.STATE_DICT));
        TorchScriptObject module =
                assertInstanceOf(TorchScriptObject.class, read(pickle, PickleReader.Dialect.TORCH_SCRIPT));
        assertEquals("__torch__.Clip", module.className());
        assertEquals(Map.of("training", false), module.attributes());
    }

    @Test
    void shouldRefuseTextProtocols() {
        byte[] protocolZero = "(dp0\nS'a'\np1\nI1\ns.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        CheckpointFormatException error = assertThrows(
                CheckpointFormatException.class, () -> read(protocolZero, PickleReader.Dialect.STATE_DICT));
        assertTrue(error.getMessage().contains("protocols 2 to 5"), error.getMessage());
    }

    @Test
    void shouldReportATruncatedPickle() {
        byte[] whole = PickleBytes.protocol(2)
                .emptyDict()
                .mark()
                .string("weight")
                .integer(1)
                .setItems()
                .stop();
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length - 6);
        CheckpointFormatException error =
                assertThrows(CheckpointFormatException.class, () -> read(truncated, PickleReader.Dialect.STATE_DICT));
        assertTrue(error.getMessage().contains("truncated"), error.getMessage());
    }

    @Test
    void shouldReadPlainValuesAndNumpyScalarsOfCheckpointMetadata() throws Exception {
        byte[] eight = java.nio.ByteBuffer.allocate(8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putDouble(0.25)
                .array();
        byte[] pickle = PickleBytes.protocol(2)
                .emptyDict()
                .mark()
                .string("epoch")
                .integer(5)
                .string("big")
                .integer(1L << 40)
                .string("negative")
                .integer(-3)
                .string("lr")
                .real(1e-5)
                .string("none")
                .none()
                .string("list")
                .op(']')
                .mark()
                .integer(1)
                .integer(2)
                .op('e')
                .string("score")
                .global("numpy.core.multiarray", "scalar")
                .global("numpy", "dtype")
                .mark()
                .string("f8")
                .bool(false)
                .bool(true)
                .tuple()
                .reduce()
                .mark()
                .integer(3)
                .string("<")
                .none()
                .none()
                .none()
                .integer(-1)
                .integer(-1)
                .integer(0)
                .tuple()
                .build()
                .global("_codecs", "encode")
                .mark()
                .string(new String(eight, java.nio.charset.StandardCharsets.ISO_8859_1))
                .string("latin1")
                .tuple()
                .reduce()
                .op(0x86)
                .reduce()
                .setItems()
                .stop();
        Map<?, ?> meta = assertInstanceOf(Map.class, read(pickle, PickleReader.Dialect.STATE_DICT));
        assertEquals(5L, meta.get("epoch"));
        assertEquals(1L << 40, meta.get("big"));
        assertEquals(-3L, meta.get("negative"));
        assertEquals(1e-5, meta.get("lr"));
        assertNull(meta.get("none"));
        assertTrue(meta.containsKey("none"));
        assertEquals(List.of(1L, 2L), meta.get("list"));
        NumpyScalar score = assertInstanceOf(NumpyScalar.class, meta.get("score"));
        assertEquals("f8", score.dtype());
        assertArrayEquals(eight, score.bytes());
    }

    @Test
    void shouldRebuildATensorViewFromAStoragePersistentId() throws Exception {
        byte[] pickle = PickleBytes.protocol(2)
                .global("collections", "OrderedDict")
                .emptyTuple()
                .reduce()
                .mark()
                .string("proj")
                .global("torch._utils", "_rebuild_tensor_v2")
                .mark()
                .mark()
                .string("storage")
                .global("torch", "HalfStorage")
                .string("7")
                .string("cuda:0")
                .integer(12)
                .tuple()
                .persistentId()
                .integer(2)
                .ints(2, 5)
                .ints(1, 2)
                .bool(true)
                .global("collections", "OrderedDict")
                .emptyTuple()
                .reduce()
                .tuple()
                .reduce()
                .setItems()
                .stop();
        Object root = PickleReader.read("test.pkl", pickle, PickleReader.Dialect.STATE_DICT, id -> {
            List<?> fields = assertInstanceOf(List.class, id);
            PickleGlobal type = assertInstanceOf(PickleGlobal.class, fields.get(1));
            return new TorchStorage(PickleReader.storageType(type), (String) fields.get(2), (Long) fields.get(4));
        });
        TorchTensor tensor = assertInstanceOf(TorchTensor.class, ((Map<?, ?>) root).get("proj"));
        assertEquals(new TorchStorage(TensorDType.F16, "7", 12), tensor.storage());
        assertEquals(2, tensor.offset());
        assertArrayEquals(new long[] {2, 5}, tensor.shape());
        assertArrayEquals(new long[] {1, 2}, tensor.stride());
    }

    @Test
    void shouldRefuseAViewThatReachesPastItsStorage() {
        byte[] pickle = PickleBytes.protocol(2)
                .global("torch._utils", "_rebuild_tensor_v2")
                .mark()
                .mark()
                .string("storage")
                .global("torch", "FloatStorage")
                .string("0")
                .string("cpu")
                .integer(4)
                .tuple()
                .persistentId()
                .integer(0)
                .ints(2, 3)
                .ints(3, 1)
                .bool(false)
                .none()
                .tuple()
                .reduce()
                .stop();
        CheckpointFormatException error = assertThrows(
                CheckpointFormatException.class,
                () -> PickleReader.read(
                        "test.pkl",
                        pickle,
                        PickleReader.Dialect.STATE_DICT,
                        id -> new TorchStorage(TensorDType.F32, "0", 4)));
        assertTrue(error.getMessage().contains("reaches past storage 0"), error.getMessage());
    }
}
