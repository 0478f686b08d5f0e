package org.shufflenet3d.io;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pickle reader that runs nothing: it builds dicts, lists, tuples, strings and numbers, and hands every
 * global the stream names to {@link Globals}, which either resolves it to one of the few callables a PyTorch
 * state_dict needs or refuses it. Protocols 0–5 as PyTorch writes them (no protocol-0 text opcodes for
 * instances, no out-of-band buffers).
 */
final class RestrictedUnpickler {

    /** A callable the stream may name with GLOBAL and call with REDUCE. */
    @FunctionalInterface
    interface Callable {
        Object call(List<Object> arguments) throws IOException;
    }

    /** Resolves {@code module.name} to a callable, or throws {@link ForbiddenGlobalException}. */
    @FunctionalInterface
    interface Globals {
        Object resolve(String module, String name) throws IOException;
    }

    /** Resolves the argument of a persistent id (PyTorch's storages). */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object pid) throws IOException;
    }

    /**
     * A Python tuple: immutable, distinct from a list. Equal only to itself: a pickle can share one tuple so often
     * that comparing, hashing or printing it item by item would never end.
     */
    static final class Tuple {
        private final List<Object> items;

        Tuple(List<Object> items) {
            this.items = items;
        }

        List<Object> items() {
            return items;
        }

        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }

        @Override
        public String toString() {
            return preview(this);
        }
    }

    private static final Object MARK = new Object();
    private static final int PREVIEW_CHARACTERS = 200;

    private final ByteBuffer in;
    private final String source;
    private final Globals globals;
    private final PersistentLoader persistentLoader;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    RestrictedUnpickler(ByteBuffer in, String source, Globals globals, PersistentLoader persistentLoader) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.globals = globals;
        this.persistentLoader = persistentLoader;
    }

    /** Reads one pickle from the buffer's position up to and including its STOP. */
    Object load() throws IOException {
        stack.clear();
        marks.clear();
        memo.clear();
        try {
            while (true) {
                int op = in.get() & 0xff;
                switch (op) {
                    case 0x80 -> in.get(); // PROTO
                    case 0x95 -> in.getLong(); // FRAME
                    case '.' -> { // STOP
                        return pop();
                    }
                    case '(' -> { // MARK
                        marks.add(stack.size());
                        stack.add(MARK);
                    }
                    case 'N' -> push(null);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) in.getInt()); // BININT
                    case 'K' -> push((long) (in.get() & 0xff)); // BININT1
                    case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
                    case 0x8a -> push(readLong(in.get() & 0xff)); // LONG1
                    case 0x8b -> push(readLong(checkedLength(in.getInt()))); // LONG4
                    case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // BINFLOAT, big-endian
                    case 'X' -> push(readString(checkedLength(in.getInt()))); // BINUNICODE
                    case 0x8c -> push(readString(in.get() & 0xff)); // SHORT_BINUNICODE
                    case 0x8d -> push(readString(checkedLength(in.getLong()))); // BINUNICODE8
                    case 'T' -> push(readString(checkedLength(in.getInt()))); // BINSTRING
                    case 'U' -> push(readString(in.get() & 0xff)); // SHORT_BINSTRING
                    case 'B' -> push(readBytes(checkedLength(in.getInt()))); // BINBYTES
                    case 'C' -> push(readBytes(in.get() & 0xff)); // SHORT_BINBYTES
                    case 0x8e -> push(readBytes(checkedLength(in.getLong()))); // BINBYTES8
                    case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
                    case ']' -> push(new ArrayList<>()); // EMPTY_LIST
                    case ')' -> push(new Tuple(List.of())); // EMPTY_TUPLE
                    case 't' -> push(new Tuple(popToMark())); // TUPLE
                    case 0x85 -> push(tupleOf(pop())); // TUPLE1
                    case 0x86 -> { // TUPLE2
                        Object b = pop();
                        push(tupleOf(pop(), b));
                    }
                    case 0x87 -> { // TUPLE3
                        Object c = pop();
                        Object b = pop();
                        push(tupleOf(pop(), b, c));
                    }
                    case 'l' -> push(new ArrayList<>(popToMark())); // LIST
                    case 'd' -> push(dict(popToMark())); // DICT
                    case 'a' -> { // APPEND
                        Object item = pop();
                        list(peek()).add(item);
                    }
                    case 'e' -> { // APPENDS
                        List<Object> items = popToMark();
                        list(peek()).addAll(items);
                    }
                    case 's' -> { // SETITEM
                        Object value = pop();
                        Object key = key(pop());
                        map(peek()).put(key, value);
                    }
                    case 'u' -> { // SETITEMS
                        List<Object> items = popToMark();
                        map(peek()).putAll(dict(items));
                    }
                    case 'q' -> memo.put((long) (in.get() & 0xff), peek()); // BINPUT
                    case 'r' -> memo.put(Integer.toUnsignedLong(in.getInt()), peek()); // LONG_BINPUT
                    case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                    case 'h' -> push(memoGet(in.get() & 0xff)); // BINGET
                    case 'j' -> push(memoGet(Integer.toUnsignedLong(in.getInt()))); // LONG_BINGET
                    case 'c' -> push(globals.resolve(readLine(), readLine())); // GLOBAL
                    case 0x93 -> { // STACK_GLOBAL
                        String name = string(pop());
                        push(globals.resolve(string(pop()), name));
                    }
                    case 'R' -> { // REDUCE
                        Tuple arguments = asTuple(pop());
                        push(callable(pop()).call(arguments.items()));
                    }
                    case 0x81 -> { // NEWOBJ
                        Tuple arguments = asTuple(pop());
                        push(callable(pop()).call(arguments.items()));
                    }
                    case 'b' -> build(pop(), peek()); // BUILD
                    case 'Q' -> push(persistentLoader.load(pop())); // BINPERSID
                    case '0' -> pop(); // POP
                    case '1' -> popToMark(); // POP_MARK
                    case '2' -> push(peek()); // DUP
                    default -> throw malformed(String.format("unsupported pickle opcode 0x%02x", op));
                }
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw malformed("truncated pickle");
        } catch (ClassCastException | IndexOutOfBoundsException e) {
            throw malformed("inconsistent pickle (" + e.getMessage() + ")");
        }
    }

    /**
     * BUILD sets attributes, which a state_dict's entries do not depend on: an OrderedDict's {@code _metadata},
     * a tensor's or parameter's flags. Anything else is refused.
     */
    private void build(Object state, Object target) throws IOException {
        if (!(target instanceof Map<?, ?>) && !(target instanceof TorchStorage.TensorView)) {
            throw malformed("BUILD on " + describe(target) + " is not part of a state_dict");
        }
    }

    private static Tuple tupleOf(Object... items) {
        return new Tuple(Arrays.asList(items));
    }

    private Map<Object, Object> dict(List<Object> items) throws IOException {
        if (items.size() % 2 != 0) {
            throw malformed("odd number of dict items");
        }
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            map.put(key(items.get(i)), items.get(i + 1));
        }
        return map;
    }

    /**
     * A dict key: a string, number, boolean or None, as the keys of a state_dict and of the dicts around it are.
     * Containers are refused: hashing one the pickle built from shared parts can take exponential time.
     */
    private Object key(Object key) throws IOException {
        if (key == null || key instanceof String || key instanceof Long || key instanceof BigInteger
                || key instanceof Double || key instanceof Boolean || key instanceof byte[]) {
            return key;
        }
        throw malformed("a dict key is a " + describe(key) + "; expected names and numbers as keys");
    }

    /**
     * A short description of a value read from a pickle, for messages: at most about {@value #PREVIEW_CHARACTERS}
     * characters, however large or shared its containers are.
     */
    static String preview(Object value) {
        StringBuilder text = new StringBuilder();
        preview(value, text);
        return text.length() > PREVIEW_CHARACTERS ? text.substring(0, PREVIEW_CHARACTERS) + "..." : text.toString();
    }

    private static void preview(Object value, StringBuilder text) {
        if (text.length() > PREVIEW_CHARACTERS) {
            return;
        }
        if (value instanceof Tuple tuple) {
            previewItems(tuple.items(), "(", ")", text);
        } else if (value instanceof Collection<?> items) {
            previewItems(items, "[", "]", text);
        } else if (value instanceof Map<?, ?> map) {
            previewItems(map.keySet(), "{", ": ...}", text);
        } else if (value instanceof String string) {
            text.append('\'').append(string, 0, Math.min(string.length(), PREVIEW_CHARACTERS)).append('\'');
        } else if (value == null || value instanceof Number || value instanceof Boolean) {
            text.append(value);
        } else {
            text.append(describe(value));
        }
    }

    private static void previewItems(Collection<?> items, String open, String close, StringBuilder text) {
        text.append(open);
        int shown = 0;
        for (Object item : items) {
            if (text.length() > PREVIEW_CHARACTERS) {
                break;
            }
            if (shown++ > 0) {
                text.append(", ");
            }
            preview(item, text);
        }
        text.append(close);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw malformed("pickle stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws IOException {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) {
            throw malformed("pickle stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popToMark() throws IOException {
        if (marks.isEmpty()) {
            throw malformed("pickle MARK missing");
        }
        int mark = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
        stack.subList(mark, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key) throws IOException {
        if (!memo.containsKey(key)) {
            throw malformed("pickle memo entry " + key + " missing");
        }
        return memo.get(key);
    }

    private Object readLong(int length) {
        byte[] bytes = readBytes(length);
        byte[] bigEndian = new byte[length];
        for (int i = 0; i < length; i++) {
            bigEndian[i] = bytes[length - 1 - i];
        }
        BigInteger value = length == 0 ? BigInteger.ZERO : new BigInteger(bigEndian);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private int checkedLength(long length) throws IOException {
        if (length < 0 || length > in.remaining()) {
            throw malformed("truncated pickle (a field of " + length + " bytes with " + in.remaining() + " left)");
        }
        return (int) length;
    }

    private byte[] readBytes(int length) {
        byte[] bytes = new byte[length];
        in.get(bytes);
        return bytes;
    }

    private String readString(int length) {
        return new String(readBytes(length), StandardCharsets.UTF_8);
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        for (byte b; (b = in.get()) != '\n'; ) {
            line.append((char) (b & 0xff));
            if (line.length() > 256) {
                throw malformed("unterminated GLOBAL name");
            }
        }
        return line.toString();
    }

    private Callable callable(Object o) throws IOException {
        if (o instanceof Callable c) {
            return c;
        }
        throw malformed(describe(o) + " is called but is not callable");
    }

    private Tuple asTuple(Object o) throws IOException {
        if (o instanceof Tuple t) {
            return t;
        }
        throw malformed("expected a tuple of arguments, found " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) throws IOException {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw malformed("APPEND to " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map(Object o) throws IOException {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw malformed("SETITEM on " + describe(o));
    }

    private String string(Object o) throws IOException {
        if (o instanceof String s) {
            return s;
        }
        throw malformed("expected a name, found " + describe(o));
    }

    private static String describe(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private MalformedFileException malformed(String what) {
        return new MalformedFileException(source + ": " + what + "; expected a PyTorch checkpoint");
    }
}
