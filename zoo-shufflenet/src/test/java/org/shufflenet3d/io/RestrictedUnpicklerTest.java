package org.shufflenet3d.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shufflenet3d.io.PickleBytes.hex;
import static org.shufflenet3d.io.PickleBytes.protocol;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pickle reader on its own: what it builds, what it hands to its callbacks, and what it refuses. */
class RestrictedUnpicklerTest {

    /**
     * {'a': 1, 'b': [True, None, 2.5], 'c': ('x', 300, -1), 'big': 2**70, 'neg': -2**40, 'u': 'é', 'long4': 70000}
     * as Python's pickle.dumps writes it with protocol 2 and with protocol 4.
     */
    private static final String PROTOCOL_2 = "80027d71002858010000006171014b0158010000006271025d710328884e474004000000"
            + "00000065580100000063710458010000007871054d2c014affffffff877106580300000062696771078a090000000000000000"
            + "4058030000006e656771088a060000000000ff58010000007571095802000000c3a9710a58050000006c6f6e6734710b4a7011"
            + "0100752e";
    private static final String PROTOCOL_4 = "80049565000000000000007d94288c0161944b018c0162945d9428884e47400400000000"
            + "0000658c0163948c0178944d2c014affffffff87948c03626967948a090000000000000000408c036e6567948a06000000000"
            + "0ff8c0175948c02c3a9948c056c6f6e6734944a70110100752e";

    private final List<String> globalsSeen = new ArrayList<>();

    private Object load(byte[] pickle) throws IOException {
        return unpickler(ByteBuffer.wrap(pickle)).load();
    }

    private RestrictedUnpickler unpickler(ByteBuffer bytes) {
        return new RestrictedUnpickler(bytes, "test.pkl", (module, name) -> {
            globalsSeen.add(module + "." + name);
            throw new ForbiddenGlobalException("refused " + module + "." + name);
        }, pid -> {
            throw new MalformedFileException("no persistent ids here");
        });
    }

    private MalformedFileException malformed(byte[] pickle) {
        return assertThrows(MalformedFileException.class, () -> load(pickle));
    }

    // ---------------------------------------------------------------- what Python writes

    @ParameterizedTest(name = "protocol {0}")
    @ValueSource(ints = {2, 4})
    void readsWhatPythonWrites(int protocol) throws IOException {
        Object loaded = load(hex(protocol == 2 ? PROTOCOL_2 : PROTOCOL_4));

        Map<?, ?> map = assertInstanceOfMap(loaded);
        assertEquals(List.of("a", "b", "c", "big", "neg", "u", "long4"), new ArrayList<>(map.keySet()));
        assertEquals(1L, map.get("a"));
        assertEquals(Arrays.asList(Boolean.TRUE, null, 2.5), map.get("b"));
        RestrictedUnpickler.Tuple c = (RestrictedUnpickler.Tuple) map.get("c");
        assertEquals(List.of("x", 300L, -1L), c.items());
        assertEquals(BigInteger.TWO.pow(70), map.get("big"));
        assertEquals(-(1L << 40), map.get("neg"));
        assertEquals("é", map.get("u"));
        assertEquals(70000L, map.get("long4"));
        assertTrue(globalsSeen.isEmpty());
    }

    @Test
    void readsBytesAsByteArrays() throws IOException {
        // pickle.dumps({'b': b'\x00\x01'}, protocol=4)
        Map<?, ?> map = assertInstanceOfMap(load(hex("8004950d000000000000007d948c0162944302000194732e")));
        assertArrayEquals(new byte[] {0, 1}, (byte[]) map.get("b"));
    }

    @Test
    void readsConsecutivePicklesFromOneBuffer() throws IOException {
        byte[] first = protocol(2).int1(7).stop().bytes();
        byte[] second = protocol(2).string("next").stop().bytes();
        ByteBuffer both = ByteBuffer.allocate(first.length + second.length + 3).put(first).put(second).put(
                new byte[] {1, 2, 3}).flip();
        RestrictedUnpickler unpickler = unpickler(both);

        assertEquals(7L, unpickler.load());
        assertEquals("next", unpickler.load());
        assertEquals(3, both.remaining());
    }

    @Test
    void memoizedObjectsAreShared() throws IOException {
        // [x, x, x] where x = [] is stored with BINPUT, LONG_BINPUT and MEMOIZE and fetched back
        byte[] pickle = protocol(4).op(']').op('(').op(']').op('q', 3).op('r').int32(70000).op(0x94)
                .op('h', 3).op('j').int32(70000).op('h', 2).op('e').stop().bytes();

        List<?> list = (List<?>) load(pickle);

        assertEquals(4, list.size());
        assertSame(list.get(0), list.get(1));
        assertSame(list.get(0), list.get(2));
        assertSame(list.get(0), list.get(3));
    }

    @Test
    void globalsReduceAndPersistentIdsGoThroughTheCallbacks() throws IOException {
        List<List<Object>> calls = new ArrayList<>();
        List<Object> pids = new ArrayList<>();
        RestrictedUnpickler.Callable callable = arguments -> {
            calls.add(arguments);
            return "called";
        };
        byte[] pickle = protocol(2).op('(').global("m", "f").string("pid").op('Q').op(0x85).op('R')
                .stackGlobal("m2", "g").op(')').op(0x81).op('l').stop().bytes();

        Object loaded = new RestrictedUnpickler(ByteBuffer.wrap(pickle), "test.pkl", (module, name) -> {
            globalsSeen.add(module + "." + name);
            return callable;
        }, pid -> {
            pids.add(pid);
            return "storage";
        }).load();

        assertEquals(List.of("called", "called"), loaded);
        assertEquals(List.of("m.f", "m2.g"), globalsSeen);
        assertEquals(List.of("pid"), pids);
        assertEquals(List.of(List.of("storage"), List.of()), calls);
    }

    // ---------------------------------------------------------------- forbidden globals

    @Test
    void globalIsRefusedBeforeAnythingIsCalled() {
        byte[] pickle = protocol(2).global("posix", "system").string("true").op(0x85).op('R').stop().bytes();

        ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class, () -> load(pickle));

        assertEquals("refused posix.system", e.getMessage());
        assertEquals(List.of("posix.system"), globalsSeen);
    }

    @Test
    void stackGlobalIsRefusedBeforeAnythingIsCalled() {
        byte[] pickle = protocol(4).stackGlobal("builtins", "eval").string("1").op(0x85).op('R').stop().bytes();

        ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class, () -> load(pickle));

        assertEquals("refused builtins.eval", e.getMessage());
        assertEquals(List.of("builtins.eval"), globalsSeen);
    }

    // ---------------------------------------------------------------- malformed streams

    @Test
    void everyTruncationIsReportedAsTruncated() {
        byte[] full = hex(PROTOCOL_4);
        for (int length = 0; length < full.length; length++) {
            MalformedFileException e = malformed(Arrays.copyOf(full, length));
            assertTrue(e.getMessage().contains("truncated pickle"), length + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith("test.pkl: "), e.getMessage());
        }
    }

    @Test
    void lengthFieldsLargerThanTheStreamAreRefusedWithoutAllocating() {
        byte[][] pickles = {
            protocol(2).op('X').int32(Integer.MAX_VALUE).raw(new byte[8]).stop().bytes(),
            protocol(2).op('X').int32(-5).raw(new byte[8]).stop().bytes(),
            protocol(2).op('T').int32(1 << 30).stop().bytes(),
            protocol(4).op(0x8d).int64(Long.MAX_VALUE).stop().bytes(),
            protocol(4).op(0x8d).int64(1L << 33).stop().bytes(),
            protocol(4).op(0x8e).int64(-1).stop().bytes(),
            protocol(4).op('B').int32(Integer.MAX_VALUE).stop().bytes(),
            protocol(2).op(0x8b).int32(Integer.MAX_VALUE).stop().bytes(),
            protocol(2).op(0x8b).int32(Integer.MIN_VALUE).stop().bytes(),
        };
        for (byte[] pickle : pickles) {
            MalformedFileException e = malformed(pickle);
            assertTrue(e.getMessage().contains("truncated pickle (a field of"), e.getMessage());
        }
    }

    @Test
    void unsupportedOpcodesAreNamed() {
        assertTrue(malformed(protocol(2).op('I').raw("1\n".getBytes()).stop().bytes()).getMessage()
                .contains("unsupported pickle opcode 0x49"));
        assertTrue(malformed(protocol(5).op(0x97).stop().bytes()).getMessage()
                .contains("unsupported pickle opcode 0x97"));
    }

    @Test
    void inconsistentStacksAreMalformed() {
        assertMessage("pickle stack underflow", protocol(2).stop());
        assertMessage("pickle stack underflow", protocol(2).op('(').stop());
        assertMessage("pickle stack underflow", protocol(2).op('(').op('a').stop());
        assertMessage("pickle stack underflow", protocol(2).op('0').stop());
        assertMessage("pickle MARK missing", protocol(2).int1(1).op('t').stop());
        assertMessage("pickle MARK missing", protocol(2).op(']').op('e').stop());
        assertMessage("pickle memo entry 5 missing", protocol(2).op('h', 5).stop());
        assertMessage("APPEND to Long", protocol(2).int1(1).int1(2).op('a').stop());
        assertMessage("SETITEM on ArrayList", protocol(2).op(']').int1(1).int1(2).op('s').stop());
        assertMessage("odd number of dict items", protocol(2).op('(').int1(1).op('d').stop());
        assertMessage("odd number of dict items", protocol(2).op('}').op('(').int1(1).op('u').stop());
        assertMessage("Long is called but is not callable", protocol(2).int1(1).op(')').op('R').stop());
        assertMessage("expected a tuple of arguments, found Long", protocol(2).int1(1).int1(2).op('R').stop());
        assertMessage("BUILD on ArrayList", protocol(2).op(']').op('}').op('b').stop());
        assertMessage("expected a name, found Long", protocol(4).int1(1).int1(2).op(0x93).stop());
        assertMessage("unterminated GLOBAL name", protocol(2).op('c').raw(new byte[300]).stop());
        assertTrue(globalsSeen.isEmpty());
    }

    @Test
    void noneIsReadAsNull() throws IOException {
        assertNull(load(protocol(2).op('N').stop().bytes()));
        assertFalse((Boolean) load(protocol(2).op(0x89).stop().bytes()));
    }

    private void assertMessage(String expected, PickleBytes pickle) {
        MalformedFileException e = malformed(pickle.bytes());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    private static Map<?, ?> assertInstanceOfMap(Object o) {
        assertTrue(o instanceof LinkedHashMap<?, ?>, String.valueOf(o));
        return (Map<?, ?>) o;
    }
}
