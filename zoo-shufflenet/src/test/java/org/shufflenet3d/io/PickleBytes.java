package org.shufflenet3d.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Pickle opcodes written one by one, for streams that Python would not write. */
final class PickleBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PickleBytes protocol(int protocol) {
        return new PickleBytes().op(0x80, protocol);
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    PickleBytes op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleBytes int32(int value) {
        return raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    PickleBytes int64(long value) {
        return raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
    }

    /** GLOBAL, as protocols 0 to 3 name a global. */
    PickleBytes global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** STACK_GLOBAL, as protocols 4 and 5 name a global, each string memoized as Python does. */
    PickleBytes stackGlobal(String module, String name) {
        return shortString(module).op(0x94).shortString(name).op(0x94, 0x93);
    }

    /** BINUNICODE. */
    PickleBytes string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return op('X').int32(utf8.length).raw(utf8);
    }

    /** SHORT_BINUNICODE. */
    PickleBytes shortString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return op(0x8c, utf8.length).raw(utf8);
    }

    /** BININT1. */
    PickleBytes int1(int value) {
        return op('K', value);
    }

    /** LONG1 with eight bytes: any long. */
    PickleBytes long8(long value) {
        return op(0x8a, 8).int64(value);
    }

    /** A tuple of longs: MARK, the items, TUPLE. */
    PickleBytes longs(long... values) {
        op('(');
        for (long v : values) {
            long8(v);
        }
        return op('t');
    }

    PickleBytes stop() {
        return op('.');
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
