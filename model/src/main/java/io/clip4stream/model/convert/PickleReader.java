package io.clip4stream.model.convert;

import io.clip4stream.model.weights.TensorDType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A restricted unpickler for what PyTorch checkpoints contain: dicts and {@code collections.OrderedDict}s of tensors
 * rebuilt with {@code torch._utils._rebuild_tensor_v2} from {@code torch.*Storage} persistent ids, plain values and
 * numpy scalars in metadata, and, in TorchScript archives, {@code __torch__.*} module objects kept as attribute maps.
 *
 * <p>Written here rather than taken from {@code net.razorvine:pickle} because that library maps unknown classes to
 * generic objects and calls registered constructors; a checkpoint is untrusted input and this reader must stop at the
 * first global it does not know ({@link RefusedGlobalException}), before anything else happens. No global is ever
 * resolved to Java or Python code: allowed ones are names that {@code REDUCE} and {@code NEWOBJ} interpret here.
 *
 * <p>Binary protocols 2 to 5 are read (what {@code torch.save} and {@code torch.jit.save} write); the text opcodes of
 * protocols 0 and 1, extension codes and out-of-band buffers are refused. Python values become Java values: None is
 * {@code null}, bool {@link Boolean}, int {@link Long} (or {@link BigInteger}), float {@link Double}, str
 * {@link String}, bytes {@code byte[]}, tuple an unmodifiable {@link List}, list a {@link List}, dict and OrderedDict a
 * {@link LinkedHashMap}, set a {@link Set}.
 */
public final class PickleReader {

    /** Which globals a pickle may name, by where it comes from. */
    public enum Dialect {
        /** A {@code torch.save} file: state dicts and the metadata around them. */
        STATE_DICT,
        /** The {@code data.pkl} of a TorchScript archive: additionally {@code __torch__.*} objects. */
        TORCH_SCRIPT
    }

    /** Resolves a persistent id ({@code BINPERSID}) to a value, such as a storage record of the archive. */
    @FunctionalInterface
    public interface PersistentLoader {
        /** Returns the value the persistent id {@code id} stands for. */
        Object load(Object id) throws CheckpointFormatException;
    }

    private static final Map<String, TensorDType> STORAGE_TYPES = Map.of(
            "FloatStorage", TensorDType.F32,
            "HalfStorage", TensorDType.F16,
            "BFloat16Storage", TensorDType.BF16,
            "DoubleStorage", TensorDType.F64,
            "LongStorage", TensorDType.I64,
            "IntStorage", TensorDType.I32,
            "ShortStorage", TensorDType.I16,
            "CharStorage", TensorDType.I8,
            "ByteStorage", TensorDType.U8,
            "BoolStorage", TensorDType.BOOL);

    private static final Set<String> STATE_DICT_GLOBALS = Set.of(
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_tensor",
            "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state",
            "torch.Size",
            "_codecs.encode",
            "builtins.bytes",
            "__builtin__.bytes",
            "numpy.core.multiarray.scalar",
            "numpy._core.multiarray.scalar",
            "numpy.dtype");

    private static final Set<String> TORCH_SCRIPT_GLOBALS = Set.of(
            "torch.jit._pickle.restore_type_tag",
            "torch.jit._pickle.build_intlist",
            "torch.jit._pickle.build_doublelist",
            "torch.jit._pickle.build_boollist",
            "torch.jit._pickle.build_tensorlist");

    private static final String TORCH_SCRIPT_CLASS_PREFIX = "__torch__.";

    /** Pushed by MARK; never a Python value. */
    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    /** A {@code numpy.dtype} as its constructor arguments; only used to label numpy scalars. */
    private record NumpyDtype(String name) {}

    private final String source;
    private final byte[] data;
    private final Dialect dialect;
    private final PersistentLoader loader;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int pos;
    private int opcodeStart;

    private PickleReader(String source, byte[] data, int start, Dialect dialect, PersistentLoader loader) {
        this.source = source;
        this.data = data;
        this.dialect = dialect;
        this.loader = loader;
        this.pos = start;
    }

    /**
     * A value read from a pickle that sits among other data, and where that pickle ends.
     *
     * @param value the value the pickle builds
     * @param end the offset just past its STOP opcode
     */
    public record Pickled(Object value, int end) {}

    /**
     * Reads the pickle in {@code data} and returns the value it builds.
     *
     * @param source the pickle's name for messages, e.g. {@code pytorch_model.bin:archive/data.pkl}
     * @throws RefusedGlobalException at the first global outside the allowed ones for {@code dialect}
     * @throws CheckpointFormatException for any other malformed or unsupported content
     */
    public static Object read(String source, byte[] data, Dialect dialect, PersistentLoader loader)
            throws CheckpointFormatException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(loader, "loader");
        return new PickleReader(source, data, 0, dialect, loader).run();
    }

    /**
     * Reads the pickle that starts at {@code offset} of {@code data}, which may be followed by other bytes (the legacy
     * {@code torch.save} format writes several pickles and raw storages one after another).
     *
     * @throws TruncatedPickleException when {@code data} ends before the pickle does
     */
    public static Pickled readAt(String source, byte[] data, int offset, Dialect dialect, PersistentLoader loader)
            throws CheckpointFormatException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(loader, "loader");
        if (offset < 0 || offset > data.length) {
            throw new IllegalArgumentException("offset " + offset + " outside 0.." + data.length);
        }
        PickleReader reader = new PickleReader(source, data, offset, dialect, loader);
        Object value = reader.run();
        return new Pickled(value, reader.pos);
    }

    /** Returns the element type a {@code torch.*Storage} global stands for, or null for any other global. */
    static TensorDType storageType(PickleGlobal global) {
        return global.module().equals("torch") ? STORAGE_TYPES.get(global.name()) : null;
    }

    private Object run() throws CheckpointFormatException {
        if (data.length - pos < 2) {
            throw truncated("holds fewer than two bytes");
        }
        if ((data[pos] & 0xFF) != 0x80) {
            throw error("does not start with a PROTO opcode: only pickle protocols 2 to 5 are read");
        }
        while (true) {
            opcodeStart = pos;
            int opcode = u8();
            switch (opcode) {
                case 0x80 -> { // PROTO
                    int protocol = u8();
                    if (protocol < 2 || protocol > 5) {
                        throw error("pickle protocol " + protocol + " is not supported (2 to 5 are)");
                    }
                }
                case 0x95 -> bytes(8); // FRAME: a length hint only
                case 0x2e -> { // STOP
                    if (stack.size() != 1 || stack.get(0) == MARK) {
                        throw error("ends with " + stack.size() + " values on the stack instead of one");
                    }
                    return stack.get(0);
                }
                case 0x28 -> stack.add(MARK);
                case 0x30 -> pop(); // POP
                case 0x31 -> popMark(); // POP_MARK
                case 0x32 -> push(peek()); // DUP
                case 0x4e -> push(null); // NONE
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 0x4a -> push((long) buffer(4).getInt()); // BININT
                case 0x4b -> push((long) u8()); // BININT1
                case 0x4d -> push((long) (buffer(2).getShort() & 0xFFFF)); // BININT2
                case 0x8a -> push(longValue(bytes(u8()))); // LONG1
                case 0x8b -> push(longValue(bytes(length(buffer(4).getInt() & 0xFFFFFFFFL)))); // LONG4
                case 0x47 ->
                    push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
                case 0x8c -> push(utf8(bytes(u8()))); // SHORT_BINUNICODE
                case 0x58 -> push(utf8(bytes(length(buffer(4).getInt() & 0xFFFFFFFFL)))); // BINUNICODE
                case 0x8d -> push(utf8(bytes(length(buffer(8).getLong())))); // BINUNICODE8
                case 0x55 -> push(new String(bytes(u8()), StandardCharsets.ISO_8859_1)); // SHORT_BINSTRING
                case 0x54 ->
                    push(new String(bytes(length(buffer(4).getInt())), StandardCharsets.ISO_8859_1)); // BINSTRING
                case 0x43 -> push(bytes(u8())); // SHORT_BINBYTES
                case 0x42 -> push(bytes(length(buffer(4).getInt() & 0xFFFFFFFFL))); // BINBYTES
                case 0x8e -> push(bytes(length(buffer(8).getLong()))); // BINBYTES8
                case 0x29 -> push(List.of()); // EMPTY_TUPLE
                case 0x74 -> push(tuple(popMark())); // TUPLE
                case 0x85 -> push(tuple(listOf(pop()))); // TUPLE1
                case 0x86 -> {
                    Object second = pop();
                    push(tuple(listOf(pop(), second)));
                }
                case 0x87 -> {
                    Object third = pop();
                    Object second = pop();
                    push(tuple(listOf(pop(), second, third)));
                }
                case 0x5d -> push(new ArrayList<>()); // EMPTY_LIST
                case 0x6c -> push(new ArrayList<>(popMark())); // LIST
                case 0x61 -> { // APPEND
                    Object value = pop();
                    list(peek()).add(value);
                }
                case 0x65 -> { // APPENDS
                    List<Object> values = popMark();
                    list(peek()).addAll(values);
                }
                case 0x7d -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case 0x64 -> { // DICT
                    Map<Object, Object> map = new LinkedHashMap<>();
                    putPairs(map, popMark());
                    push(map);
                }
                case 0x73 -> { // SETITEM
                    Object value = pop();
                    Object key = pop();
                    putPairs(map(peek()), listOf(key, value));
                }
                case 0x75 -> { // SETITEMS
                    List<Object> pairs = popMark();
                    putPairs(map(peek()), pairs);
                }
                case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark();
                    set(peek()).addAll(items);
                }
                case 0x91 -> push(Collections.unmodifiableSet(new LinkedHashSet<>(popMark()))); // FROZENSET
                case 0x71 -> memo.put((long) u8(), peek()); // BINPUT
                case 0x72 -> memo.put(buffer(4).getInt() & 0xFFFFFFFFL, peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 0x68 -> push(memoGet(u8())); // BINGET
                case 0x6a -> push(memoGet(buffer(4).getInt() & 0xFFFFFFFFL)); // LONG_BINGET
                case 0x63 -> push(global(line(), line())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error(
                                "STACK_GLOBAL needs two strings, got " + describe(module) + " and " + describe(name));
                    }
                    push(global(m, n));
                }
                case 0x51 -> push(loader.load(pop())); // BINPERSID
                case 0x52 -> { // REDUCE
                    Object args = pop();
                    push(reduce(pop(), tuple(args)));
                }
                case 0x81 -> { // NEWOBJ
                    Object args = pop();
                    push(newObject(pop(), tuple(args)));
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object kwargs = pop();
                    Object args = pop();
                    if (!map(kwargs).isEmpty()) {
                        throw error("NEWOBJ_EX with keyword arguments is not supported");
                    }
                    push(newObject(pop(), tuple(args)));
                }
                case 0x62 -> { // BUILD
                    Object state = pop();
                    build(peek(), state);
                }
                default -> throw error(unsupported(opcode));
            }
        }
    }

    private Object global(String module, String name) throws CheckpointFormatException {
        PickleGlobal global = new PickleGlobal(module, name);
        String qualified = global.qualifiedName();
        boolean allowed = STATE_DICT_GLOBALS.contains(qualified) || storageType(global) != null;
        if (dialect == Dialect.TORCH_SCRIPT) {
            allowed |= TORCH_SCRIPT_GLOBALS.contains(qualified) || qualified.startsWith(TORCH_SCRIPT_CLASS_PREFIX);
        }
        if (!allowed) {
            String why = qualified.startsWith(TORCH_SCRIPT_CLASS_PREFIX)
                    ? "TorchScript classes are only read from the data.pkl of a TorchScript archive"
                    : "it is not one of the globals a PyTorch state dict uses";
            throw new RefusedGlobalException(source, opcodeStart, qualified, why);
        }
        return global;
    }

    private Object reduce(Object callable, List<Object> args) throws CheckpointFormatException {
        if (!(callable instanceof PickleGlobal global)) {
            throw error("REDUCE of " + describe(callable) + ", which is not a global");
        }
        switch (global.qualifiedName()) {
            case "collections.OrderedDict" -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                if (args.size() == 1) {
                    for (Object pair : list(args.get(0))) {
                        putPairs(map, list(pair));
                    }
                } else if (!args.isEmpty()) {
                    throw error("OrderedDict with " + args.size() + " arguments");
                }
                return map;
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (args.size() < 4) {
                    throw error(global + " with " + args.size() + " arguments, expected at least 4");
                }
                if (!(args.get(0) instanceof TorchStorage storage)) {
                    throw error(global + " of " + describe(args.get(0)) + " instead of a storage");
                }
                try {
                    return new TorchTensor(storage, integer(args.get(1)), longs(args.get(2)), longs(args.get(3)));
                } catch (IllegalArgumentException | ArithmeticException e) {
                    throw error(e.getMessage());
                }
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (args.isEmpty() || !(args.get(0) instanceof TorchTensor tensor)) {
                    throw error(global + " without a tensor as its first argument");
                }
                return tensor;
            }
            case "torch.Size" -> {
                return args.isEmpty() ? List.of() : tuple(args.get(0));
            }
            case "_codecs.encode" -> {
                // Protocol 2 writes Python 3 bytes as _codecs.encode(text, 'latin1'): decoding it is the inverse.
                if (args.size() != 2
                        || !(args.get(0) instanceof String text)
                        || !("latin1".equals(args.get(1)) || "latin-1".equals(args.get(1)))) {
                    throw error("_codecs.encode is only read as encode(str, 'latin1'), got " + describe(args));
                }
                return text.getBytes(StandardCharsets.ISO_8859_1);
            }
            case "builtins.bytes", "__builtin__.bytes" -> {
                if (!args.isEmpty()) {
                    throw error("bytes(...) is only read without arguments (protocol 2's empty bytes)");
                }
                return new byte[0];
            }
            case "numpy.dtype" -> {
                if (args.isEmpty() || !(args.get(0) instanceof String name)) {
                    throw error("numpy.dtype without a type string: " + describe(args));
                }
                return new NumpyDtype(name);
            }
            case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar" -> {
                if (args.size() != 2
                        || !(args.get(0) instanceof NumpyDtype dtype)
                        || !(args.get(1) instanceof byte[] bytes)) {
                    throw error(global + " is only read as scalar(dtype, bytes), got " + describe(args));
                }
                return new NumpyScalar(dtype.name(), bytes);
            }
            case "torch.jit._pickle.restore_type_tag" -> {
                if (args.isEmpty()) {
                    throw error(global + " without arguments");
                }
                return args.get(0);
            }
            case "torch.jit._pickle.build_intlist",
                    "torch.jit._pickle.build_doublelist",
                    "torch.jit._pickle.build_boollist",
                    "torch.jit._pickle.build_tensorlist" -> {
                if (args.size() != 1) {
                    throw error(global + " with " + args.size() + " arguments");
                }
                return list(args.get(0));
            }
            default ->
                throw new RefusedGlobalException(
                        source, opcodeStart, global.qualifiedName(), "it is not called when rebuilding a state dict");
        }
    }

    private Object newObject(Object cls, List<Object> args) throws CheckpointFormatException {
        if (!(cls instanceof PickleGlobal global)) {
            throw error("NEWOBJ of " + describe(cls) + ", which is not a global");
        }
        String qualified = global.qualifiedName();
        if (qualified.startsWith(TORCH_SCRIPT_CLASS_PREFIX) && args.isEmpty()) {
            return new TorchScriptObject(qualified, new LinkedHashMap<>());
        }
        if (qualified.equals("collections.OrderedDict") && args.isEmpty()) {
            return new LinkedHashMap<>();
        }
        throw new RefusedGlobalException(source, opcodeStart, qualified, "it is not constructed by this reader");
    }

    private void build(Object target, Object state) throws CheckpointFormatException {
        if (target instanceof TorchScriptObject object && state instanceof Map<?, ?> attributes) {
            for (Map.Entry<?, ?> attribute : attributes.entrySet()) {
                if (!(attribute.getKey() instanceof String name)) {
                    throw error("attribute name " + describe(attribute.getKey()) + " of " + object.className());
                }
                object.attributes().put(name, attribute.getValue());
            }
        } else if (target instanceof Map<?, ?> && (state == null || state instanceof Map<?, ?>)) {
            // A state_dict() OrderedDict carries its _metadata (module versions) as instance state: not needed.
            return;
        } else if (!(target instanceof NumpyDtype)) {
            // A numpy dtype's state is its byte order and flags; the dtype string already says what the scalar is.
            throw error("BUILD of " + describe(target) + " with " + describe(state) + " is not supported");
        }
    }

    private static void putPairs(Map<Object, Object> map, List<Object> items) throws CheckpointFormatException {
        if (items.size() % 2 != 0) {
            throw new CheckpointFormatException("odd number of items (" + items.size() + ") for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            map.put(items.get(i), items.get(i + 1));
        }
    }

    private static List<Object> listOf(Object... values) {
        List<Object> list = new ArrayList<>(values.length);
        Collections.addAll(list, values);
        return list;
    }

    private static List<Object> tuple(List<Object> values) {
        return Collections.unmodifiableList(new ArrayList<>(values));
    }

    private List<Object> tuple(Object value) throws CheckpointFormatException {
        return tuple(list(value));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object value) throws CheckpointFormatException {
        if (value instanceof List<?> list) {
            return (List<Object>) list;
        }
        throw error("expected a tuple or list, got " + describe(value));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map(Object value) throws CheckpointFormatException {
        if (value instanceof Map<?, ?> map) {
            return (Map<Object, Object>) map;
        }
        throw error("expected a dict, got " + describe(value));
    }

    @SuppressWarnings("unchecked")
    private Set<Object> set(Object value) throws CheckpointFormatException {
        if (value instanceof Set<?> set) {
            return (Set<Object>) set;
        }
        throw error("expected a set, got " + describe(value));
    }

    private long integer(Object value) throws CheckpointFormatException {
        if (value instanceof Long number) {
            return number;
        }
        throw error("expected an int, got " + describe(value));
    }

    private long[] longs(Object value) throws CheckpointFormatException {
        List<Object> items = list(value);
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(items.get(i));
        }
        return out;
    }

    private Object memoGet(long index) throws CheckpointFormatException {
        if (!memo.containsKey(index)) {
            throw error("memo entry " + index + " is read before it is written");
        }
        return memo.get(index);
    }

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() throws CheckpointFormatException {
        if (stack.isEmpty() || stack.getLast() == MARK) {
            throw error("stack underflow");
        }
        return stack.removeLast();
    }

    private Object peek() throws CheckpointFormatException {
        if (stack.isEmpty() || stack.getLast() == MARK) {
            throw error("stack underflow");
        }
        return stack.getLast();
    }

    private List<Object> popMark() throws CheckpointFormatException {
        int mark = stack.lastIndexOf(MARK);
        if (mark < 0) {
            throw error("no MARK on the stack");
        }
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private int u8() throws CheckpointFormatException {
        if (pos >= data.length) {
            throw truncated("ends without a STOP opcode (truncated?)");
        }
        return data[pos++] & 0xFF;
    }

    private int length(long declared) throws CheckpointFormatException {
        if (declared < 0) {
            throw error("declares " + declared + " bytes");
        }
        if (declared > data.length - pos) {
            throw truncated("declares " + declared + " bytes but only " + (data.length - pos) + " remain (truncated?)");
        }
        return (int) declared;
    }

    private byte[] bytes(int count) throws CheckpointFormatException {
        int n = length(count);
        byte[] out = new byte[n];
        System.arraycopy(data, pos, out, 0, n);
        pos += n;
        return out;
    }

    private ByteBuffer buffer(int count) throws CheckpointFormatException {
        return ByteBuffer.wrap(bytes(count)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private String line() throws CheckpointFormatException {
        int start = pos;
        while (pos < data.length && data[pos] != '\n') {
            pos++;
        }
        if (pos >= data.length) {
            throw truncated("GLOBAL name is not terminated by a newline (truncated?)");
        }
        return utf8(java.util.Arrays.copyOfRange(data, start, pos++));
    }

    private String utf8(byte[] bytes) throws CheckpointFormatException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error("string is not valid UTF-8");
        }
    }

    private static Object longValue(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        BigInteger value = new BigInteger(bigEndian);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private static String unsupported(int opcode) {
        String name = switch (opcode) {
            case 'I', 'L', 'F', 'S', 'V', 'P', 'g', 'p', 'i', 'o' ->
                "text opcode '" + (char) opcode + "' of pickle protocols 0 and 1";
            case 0x82, 0x83, 0x84 -> "extension-registry opcode";
            case 0x96, 0x97, 0x98 -> "out-of-band buffer opcode";
            default -> "unknown opcode";
        };
        return String.format("has %s 0x%02x, which this reader does not support", name, opcode);
    }

    private static String describe(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof List<?> list) {
            return "a tuple/list of " + list.size();
        }
        if (value instanceof Map<?, ?> map) {
            return "a dict of " + map.size();
        }
        if (value instanceof byte[] bytes) {
            return bytes.length + " bytes";
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value.getClass().getSimpleName() + " " + value;
        }
        return value.toString();
    }

    private TruncatedPickleException truncated(String message) {
        return new TruncatedPickleException(source + ": pickle " + message + " (opcode at byte " + opcodeStart + ")");
    }

    private CheckpointFormatException error(String message) {
        return new CheckpointFormatException(source + ": pickle " + message + " (opcode at byte " + opcodeStart + ")");
    }
}
