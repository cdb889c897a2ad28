package io.clip4stream.model.convert;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes by hand, so that tests can build exactly the pickles they mean, hostile ones included. */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes protocol(int version) {
        PickleBytes pickle = new PickleBytes();
        pickle.op(0x80).op(version);
        return pickle;
    }

    PickleBytes op(int opcode) {
        out.write(opcode);
        return this;
    }

    PickleBytes global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleBytes mark() {
        return op('(');
    }

    PickleBytes string(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        op('X');
        out.writeBytes(ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(bytes.length)
                .array());
        out.writeBytes(bytes);
        return this;
    }

    PickleBytes integer(long value) {
        if (value >= 0 && value < 256) {
            return op('K').op((int) value);
        }
        if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            op('J');
            out.writeBytes(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt((int) value)
                    .array());
            return this;
        }
        op(0x8a).op(8);
        out.writeBytes(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(value)
                .array());
        return this;
    }

    /** LONG1 of an integer given as little-endian two's-complement bytes (for values beyond 64 bits). */
    PickleBytes longBytes(byte[] littleEndian) {
        op(0x8a).op(littleEndian.length);
        out.writeBytes(littleEndian);
        return this;
    }

    PickleBytes emptyList() {
        return op(']');
    }

    PickleBytes appends() {
        return op('e');
    }

    PickleBytes real(double value) {
        op('G');
        out.writeBytes(ByteBuffer.allocate(8)
                .order(ByteOrder.BIG_ENDIAN)
                .putDouble(value)
                .array());
        return this;
    }

    PickleBytes bool(boolean value) {
        return op(value ? 0x88 : 0x89);
    }

    PickleBytes none() {
        return op('N');
    }

    PickleBytes tuple() {
        return op('t');
    }

    PickleBytes emptyTuple() {
        return op(')');
    }

    PickleBytes emptyDict() {
        return op('}');
    }

    PickleBytes setItems() {
        return op('u');
    }

    PickleBytes reduce() {
        return op('R');
    }

    PickleBytes newObject() {
        return op(0x81);
    }

    PickleBytes build() {
        return op('b');
    }

    PickleBytes persistentId() {
        return op('Q');
    }

    PickleBytes put(int index) {
        return op('q').op(index);
    }

    PickleBytes get(int index) {
        return op('h').op(index);
    }

    PickleBytes ints(long... values) {
        mark();
        for (long value : values) {
            integer(value);
        }
        return tuple();
    }

    byte[] stop() {
        op('.');
        return out.toByteArray();
    }
}
