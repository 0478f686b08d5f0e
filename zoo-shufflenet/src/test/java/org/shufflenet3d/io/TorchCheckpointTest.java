package org.shufflenet3d.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.shufflenet3d.io.PickleBytes.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reading PyTorch checkpoints: files written by PyTorch 1.13 in both formats (see resources/torch/README.md),
 * and damaged, foreign or hostile files, some written byte by byte.
 */
class TorchCheckpointTest {

    private static final List<String> REFERENCE_KEYS = List.of("module.conv1.0.weight",
            "module.conv1.1.running_mean", "module.conv1.1.num_batches_tracked", "module.classifier.1.bias");
    private static final List<String> STATE_DICT_KEYS = List.of("whole", "window", "transposed", "f64", "f16", "bf16",
            "i64", "scalar", "param", "bn.num_batches_tracked");

    /** The three pickles that open a legacy file: magic number, protocol 1001, and an empty sys_info dict. */
    private static final byte[] LEGACY_HEADER = concat(
            protocol(2).op(0x8a, 10).raw(PickleBytes.hex("6cfc9c46f9206aa85019")).stop().bytes(),
            protocol(2).op('M', 0xe9, 0x03).stop().bytes(),
            protocol(2).op('}').stop().bytes());

    /** zip_checkpoint.pth with its entries compressed, as a zip tool might rewrite it. */
    private static final String DEFLATED = "deflated_checkpoint.pth";

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- files written by PyTorch

    @ParameterizedTest
    @ValueSource(strings = {"legacy_checkpoint.pth", "zip_checkpoint.pth", DEFLATED})
    void readsTheReferenceCheckpointDict(String name) throws IOException {
        TorchCheckpoint checkpoint = TorchCheckpoint.read(write(name, fixture(name)));

        assertEquals(Optional.of("shufflenetv2"), checkpoint.arch());
        assertEquals(Optional.of(7L), checkpoint.epoch());
        Map<String, INDArray> sd = checkpoint.stateDict();
        assertEquals(REFERENCE_KEYS, new ArrayList<>(sd.keySet()));
        assertTensor(new long[] {2, 3, 1, 1, 1}, new float[] {-1, -0.5f, 0, 0.5f, 1, 1.5f},
                sd.get("module.conv1.0.weight"));
        assertTensor(new long[] {2}, new float[] {0.125f, -3.5f}, sd.get("module.conv1.1.running_mean"));
        assertTensor(new long[0], new float[] {42}, sd.get("module.conv1.1.num_batches_tracked"));
        assertTensor(new long[] {3}, new float[] {0.25f, -0.75f, 8}, sd.get("module.classifier.1.bias"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"legacy_state_dict.pth", "zip_state_dict.pth"})
    void readsABareStateDictOfViewsAndOtherElementTypes(String name) throws IOException {
        TorchCheckpoint checkpoint = TorchCheckpoint.read(resource(name));

        assertEquals(Optional.empty(), checkpoint.arch());
        assertEquals(Optional.empty(), checkpoint.epoch());
        Map<String, INDArray> sd = checkpoint.stateDict();
        assertEquals(STATE_DICT_KEYS, new ArrayList<>(sd.keySet()));
        assertTensor(new long[] {3, 4}, new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, sd.get("whole"));
        assertTensor(new long[] {2, 3}, new float[] {5, 6, 7, 8, 9, 10}, sd.get("window"));
        assertTensor(new long[] {3, 2}, new float[] {5, 9, 6, 10, 7, 11}, sd.get("transposed"));
        assertTensor(new long[] {3}, new float[] {(float) 0.1, -2.5f, (float) 1e-3}, sd.get("f64"));
        assertTensor(new long[] {4}, new float[] {0.5f, -2, 65504, (float) Math.scalb(1.0, -24)}, sd.get("f16"));
        assertTensor(new long[] {3}, new float[] {1.5f, -3, (float) Math.scalb(1.0, 100)}, sd.get("bf16"));
        assertTensor(new long[] {2, 2}, new float[] {3, -5, 1L << 40, 0}, sd.get("i64"));
        assertTensor(new long[0], new float[] {2.75f}, sd.get("scalar"));
        assertTensor(new long[] {2}, new float[] {1, -1}, sd.get("param"));
        assertTensor(new long[0], new float[] {1234}, sd.get("bn.num_batches_tracked"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"legacy_state_dict.pth", "zip_state_dict.pth"})
    void fixtureViewsShareOneStorageAtAnOffset(String name) throws IOException {
        // what the test above relies on: torch.save kept the views of one storage as views
        Map<?, ?> root = rawPickle(resource(name));
        List<?> whole = (List<?>) root.get("whole");
        List<?> window = (List<?>) root.get("window");
        List<?> transposed = (List<?>) root.get("transposed");
        Object storage = ((RestrictedUnpickler.Tuple) whole.get(0)).get(2);
        assertEquals(storage, ((RestrictedUnpickler.Tuple) window.get(0)).get(2));
        assertEquals(storage, ((RestrictedUnpickler.Tuple) transposed.get(0)).get(2));
        assertEquals(5L, window.get(1));
        assertEquals(5L, transposed.get(1));
        assertEquals(List.of(1L, 4L), ((RestrictedUnpickler.Tuple) transposed.get(3)).items());
    }

    @Test
    void stateDictIsUnmodifiable() throws IOException {
        TorchCheckpoint checkpoint = TorchCheckpoint.read(resource("zip_checkpoint.pth"));
        assertThrows(UnsupportedOperationException.class, () -> checkpoint.stateDict().remove("module.conv1.0.weight"));
    }

    // ---------------------------------------------------------------- hand-written valid files

    @Test
    void readsAHandWrittenLegacyFileWithAnOffsetViewAndTwoStorages() throws IOException {
        PickleBytes root = protocol(2).op('}').op('(').string("a");
        tensor(root, "FloatStorage", "10", 4, 1, new long[] {3}, new long[] {1});
        root.string("b");
        tensor(root, "IntStorage", "20", 2, 0, new long[] {2, 1}, new long[] {1, 1});
        Path file = write("hand.pth", legacy(root.op('u').stop().bytes(), List.of("10", "20"),
                floats(9, 8, 7, 6), ints(-3, 4)));

        Map<String, INDArray> sd = TorchCheckpoint.read(file).stateDict();

        assertTensor(new long[] {3}, new float[] {8, 7, 6}, sd.get("a"));
        assertTensor(new long[] {2, 1}, new float[] {-3, 4}, sd.get("b"));
    }

    @Test
    void readsAnEmptyTensor() throws IOException {
        PickleBytes root = protocol(2).op('}').string("empty");
        tensor(root, "FloatStorage", "0", 0, 0, new long[] {0, 3}, new long[] {3, 1});
        root.op('s').string("w");
        tensor(root, "FloatStorage", "1", 1, 0, new long[0], new long[0]);
        Path file = write("empty.pth", legacy(root.op('s').stop().bytes(), List.of("0", "1"), floats(), floats(-2)));

        Map<String, INDArray> sd = TorchCheckpoint.read(file).stateDict();

        assertArrayEquals(new long[] {0, 3}, sd.get("empty").shape());
        assertTensor(new long[0], new float[] {-2}, sd.get("w"));
    }

    // ---------------------------------------------------------------- missing, empty and foreign files

    @Test
    void missingFileIsNoSuchFile() {
        Path missing = dir.resolve("absent.pth");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> TorchCheckpoint.read(missing));
        assertTrue(e.getMessage().contains("absent.pth"), e.getMessage());
    }

    @Test
    void directoryIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> TorchCheckpoint.read(dir));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void emptyFileIsMalformed(int length) throws IOException {
        Path file = write("empty.pth", new byte[length]);
        assertMalformed(file, "empty or truncated file");
    }

    @Test
    void textFileIsMalformed() throws IOException {
        Path file = write("notes.pth", "epoch 7, arch shufflenetv2\n".getBytes(StandardCharsets.UTF_8));
        assertMalformed(file, "not a PyTorch checkpoint (.pth) (neither a zip archive nor a pickle)");
    }

    @Test
    void npyFileIsMalformed() throws IOException {
        Path npy = write("a.npy", Files.readAllBytes(numpy("fortran_big_endian.npy")));
        assertMalformed(npy, "neither a zip archive nor a pickle");
    }

    @ParameterizedTest
    @ValueSource(strings = {"savez.npz", "savez_compressed.npz"})
    void npzFileIsMalformed(String name) throws IOException {
        Path npz = write(name, Files.readAllBytes(numpy(name)));
        assertMalformed(npz, "a zip archive without data.pkl");
    }

    @Test
    void plainPickleIsMalformed() throws IOException {
        // pickle.dumps({'a': 1}, protocol=2): a pickle, but not written by torch.save
        Path file = write("plain.pkl", PickleBytes.hex("80027d710058010000006171014b01732e"));
        assertMalformed(file, "no PyTorch magic number");
    }

    @Test
    void legacyFileOfAnotherProtocolIsMalformed() throws IOException {
        byte[] header = Arrays.copyOf(LEGACY_HEADER, LEGACY_HEADER.length);
        header[18] = (byte) 0xea; // 1002
        Path file = write("future.pth", header);
        assertMalformed(file, "unsupported PyTorch serialization protocol 1002");
    }

    @Test
    void bigEndianLegacyFileIsMalformed() throws IOException {
        byte[] sysInfo = protocol(2).op('}').string("little_endian").op(0x89).op('s').stop().bytes();
        byte[] header = concat(Arrays.copyOf(LEGACY_HEADER, LEGACY_HEADER.length - 4), sysInfo);
        Path file = write("big.pth", header);
        assertMalformed(file, "big-endian");
    }

    @Test
    void checkpointWithoutTensorsIsMalformed() throws IOException {
        byte[] root = protocol(2).op('}').string("epoch").int1(3).op('s').stop().bytes();
        assertMalformed(write("none.pth", legacy(root, List.of())), "no state_dict found");
    }

    @Test
    void stateDictWithANonTensorEntryIsMalformed() throws IOException {
        PickleBytes root = protocol(2).op('}').string("state_dict").op('}').op('(').string("w");
        tensor(root, "FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        root.string("note").string("text").op('u').op('s').stop();
        assertMalformed(write("note.pth", legacy(root.bytes(), List.of("0"), floats(1))),
                "state_dict entries ['note'] are not tensors");
    }

    // ---------------------------------------------------------------- truncated and damaged files

    @ParameterizedTest(name = "{0}/8")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void truncatedLegacyFileIsMalformed(int eighths) throws IOException {
        byte[] full = Files.readAllBytes(resource("legacy_checkpoint.pth"));
        int length = eighths == 8 ? full.length - 1 : full.length * eighths / 8;
        Path file = write("cut.pth", Arrays.copyOf(full, length));
        assertMalformed(file, "truncated");
    }

    @ParameterizedTest(name = "{0}/8")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void truncatedZipFileIsMalformed(int eighths) throws IOException {
        byte[] full = Files.readAllBytes(resource("zip_checkpoint.pth"));
        int length = eighths == 8 ? full.length - 1 : full.length * eighths / 8;
        Path file = write("cut.pth", Arrays.copyOf(full, length));
        assertMalformed(file, "damaged zip archive");
    }

    @Test
    void zipEntryStartingPastTheEndIsMalformed() throws IOException {
        byte[] bytes = Files.readAllBytes(resource("zip_checkpoint.pth"));
        int central = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("PK\u0001\u0002");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(central + 42, 0x7ff00000);
        assertMalformed(write("far.pth", bytes), "damaged zip archive");
    }

    @Test
    void zipOfATextFileIsMalformed() throws IOException {
        Path file = write("text.pth", zip(Map.of("notes.txt", "hello".getBytes(StandardCharsets.UTF_8))));
        assertMalformed(file, "a zip archive without data.pkl");
    }

    @Test
    void zipWhoseDataPklIsTextIsMalformed() throws IOException {
        Path file = write("text.pth", zip(Map.of("archive/data.pkl", "hello\n".getBytes(StandardCharsets.UTF_8))));
        assertMalformed(file, "expected a PyTorch checkpoint");
    }

    @Test
    void zipMissingAStorageEntryIsMalformed() throws IOException {
        Map<String, byte[]> entries = entries(resource("zip_checkpoint.pth"));
        assertTrue(entries.remove("zip_checkpoint/data/1") != null, entries.keySet().toString());
        Path file = write("missing.pth", zip(entries));
        assertMalformed(file, "storage data/1 is missing from the archive");
    }

    @Test
    void zipWithAShortStorageEntryIsMalformed() throws IOException {
        Map<String, byte[]> entries = entries(resource("zip_checkpoint.pth"));
        entries.put("zip_checkpoint/data/0", new byte[8]); // six float32 expected
        Path file = write("short.pth", zip(entries));
        assertMalformed(file, "tensor 'module.conv1.0.weight' [2, 3, 1, 1, 1] has more elements than its storage"
                + " of 2");
    }

    @Test
    void expandedTensorIsRefusedBeforeAnythingIsAllocated() throws IOException {
        PickleBytes root = protocol(2).op('}').string("w");
        tensor(root, "FloatStorage", "0", 1, 0, new long[] {46000, 46000}, new long[] {0, 0});
        assertMalformed(write("expanded.pth", legacy(root.op('s').stop().bytes(), List.of("0"), floats(1))),
                "tensor 'w' [46000, 46000] has more elements than its storage of 1");
    }

    @Test
    void tensorReachingPastItsStorageIsMalformed() throws IOException {
        PickleBytes root = protocol(2).op('}').string("w");
        tensor(root, "FloatStorage", "0", 4, 2, new long[] {2, 2}, new long[] {2, 1});
        assertMalformed(write("past.pth", legacy(root.op('s').stop().bytes(), List.of("0"), floats(1, 2, 3, 4))),
                "tensor 'w' [2, 2] at offset 2 reaches past its storage of 4 elements");
    }

    @ParameterizedTest(name = "{0} elements")
    @ValueSource(longs = {1L << 60, (1L << 60) + (1L << 28), (1L << 61) + 1})
    void storageCountOverflowingItsByteLengthIsMalformed(long count) throws IOException {
        PickleBytes root = protocol(2).op('}').string("w");
        tensor(root, "LongStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        byte[] storage = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(count).putLong(5).array();
        assertMalformed(write("count.pth", legacy(root.op('s').stop().bytes(), List.of("0"), storage)),
                "inconsistent storage 0");
    }

    @Test
    void tensorWhoseElementCountOverflowsIsMalformed() throws IOException {
        PickleBytes root = protocol(2).op('}').string("w");
        tensor(root, "FloatStorage", "0", 1, 0, new long[] {1L << 32, 1L << 32}, new long[] {0, 0});
        assertMalformed(write("count.pth", legacy(root.op('s').stop().bytes(), List.of("0"), floats(1))),
                "tensor 'w'");
    }

    @ParameterizedTest(name = "offset {0}, stride {1}")
    @CsvSource({"0, 4611686018427388904", "9223372036854775807, 1", "4611686018427387904, 4611686018427387904"})
    void tensorWhoseLastIndexOverflowsIsMalformed(long offset, long stride) throws IOException {
        PickleBytes root = protocol(2).op('}').string("w");
        tensor(root, "FloatStorage", "0", 4, offset, new long[] {3}, new long[] {stride});
        assertMalformed(write("stride.pth", legacy(root.op('s').stop().bytes(), List.of("0"), floats(1, 2, 3, 4))),
                "tensor 'w' [3]");
    }

    // ---------------------------------------------------------------- deep and cyclic containers

    @Test
    void dictKeyContainingItselfIsMalformed() throws IOException {
        // {'state_dict': {'w': tensor}, 'x': {l: None}} where l = [l], a key Python would refuse as unhashable
        PickleBytes root = protocol(2).op('}').string("state_dict").op('}').string("w");
        tensor(root, "FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        root.op('s').op('s').string("x").op('}').op(']').op('q', 200).op('h', 200).op('a').op('N').op('s').op('s');
        Path file = write("cycle.pth", legacy(root.stop().bytes(), List.of("0"), floats(1)));
        assertMalformed(file, "a dict key is a ArrayList; expected names and numbers as keys");
    }

    @Test
    void exponentiallyLargeKeysAreRefusedAtOnce() throws IOException {
        // t0 = (); t(i+1) = (t(i), t(i)) memoized, 64 times: a key of 2^64 leaves, which hashing or printing would
        // walk leaf by leaf
        PickleBytes root = protocol(2).op('}').string("state_dict").op('}').string("w");
        tensor(root, "FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        root.op('s').op('s').string("x").op('}').op(')').op('q', 0).op('0');
        for (int i = 0; i < 64; i++) {
            root.op('h', i % 2).op('h', i % 2).op(0x86).op('q', (i + 1) % 2).op('0');
        }
        root.op('h', 0);
        root.op('N').op('s').op('s');
        Path file = write("laughs.pth", legacy(root.stop().bytes(), List.of("0"), floats(1)));

        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertMalformed(file, "a dict key is a Tuple; expected names and numbers as keys"));
    }

    @Test
    void exponentiallyLargeValuesArePrintedShortly() throws IOException {
        // the same shared tuple as a storage key, which the error message shows
        PickleBytes root = protocol(2).op('}').string("w").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').string("storage").global("torch", "FloatStorage").op(')').op('q', 0).op('0');
        for (int i = 0; i < 64; i++) {
            root.op('h', i % 2).op('h', i % 2).op(0x86).op('q', (i + 1) % 2).op('0');
        }
        root.op('h', 0);
        root.string("cpu").long8(1).op('t').op('Q').long8(0).longs(1).longs(1).op('t').op('R').op('s');
        Path file = write("laughs.pth", legacy(root.stop().bytes(), List.of("0"), floats(1)));

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            MalformedFileException e = assertThrows(MalformedFileException.class, () -> TorchCheckpoint.read(file));
            assertTrue(e.getMessage().contains("a storage whose key is ((((("), e.getMessage());
            assertTrue(e.getMessage().length() < 400, e.getMessage());
        });
    }

    @Test
    void deeplyNestedDictKeyIsMalformed() throws IOException {
        PickleBytes root = protocol(2).op('}').string("state_dict").op('}').string("w");
        tensor(root, "FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        root.op('s').op('s').op('N');
        for (int i = 0; i < 200_000; i++) {
            root.op(0x85);
        }
        root.op('N').op('s').stop();
        Path file = write("deep.pth", zip(Map.of("archive/data.pkl", root.bytes(), "archive/data/0", new byte[4])));
        assertMalformed(file, "a dict key is a Tuple");
    }

    @Test
    void deeplyNestedProtocolNumberIsMalformed() throws IOException {
        // refused as another protocol if it can be printed, else as too deep
        PickleBytes protocol = protocol(2).op('N');
        for (int i = 0; i < 200_000; i++) {
            protocol.op(0x85);
        }
        byte[] header = concat(Arrays.copyOf(LEGACY_HEADER, 15), protocol.stop().bytes());
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> TorchCheckpoint.read(write("deep.pth", header)));
        assertTrue(e.getMessage().contains("nested too deeply")
                || e.getMessage().contains("unsupported PyTorch serialization protocol"), e.getMessage());
    }

    @Test
    void moderatelyNestedEntriesOutsideTheStateDictAreRead() throws IOException {
        PickleBytes root = protocol(2).op('}').string("state_dict").op('}').string("w");
        tensor(root, "FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        root.op('s').op('s').string("optimizer");
        for (int i = 0; i < 1000; i++) {
            root.op('(');
        }
        root.op(')');
        for (int i = 0; i < 1000; i++) {
            root.op('l');
        }
        Path file = write("nested.pth", legacy(root.op('s').stop().bytes(), List.of("0"), floats(3)));

        assertTensor(new long[] {1}, new float[] {3}, TorchCheckpoint.read(file).stateDict().get("w"));
    }

    // ---------------------------------------------------------------- what a file claims

    @Test
    void storagesClaimingGigabytesInASmallZipAreRefusedBeforeTheyAreRead() throws IOException {
        // 100 tensors of 2^26 float32 each (25.6 GB in all) in a zip of a few KB with no storage data
        PickleBytes root = protocol(2).op('}').op('(');
        for (int i = 0; i < 100; i++) {
            root.string("w" + i);
            tensor(root, "FloatStorage", String.valueOf(i), 1L << 26, 0, new long[] {1L << 26}, new long[] {1});
        }
        Path file = write("claims.pth", zip(Map.of("archive/data.pkl", root.op('u').stop().bytes())));

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertMalformed(file,
                "its state_dict holds more than " + NumpyFiles.MAX_ELEMENTS + " elements (at tensor 'w4')"));
    }

    @Test
    void aStorageIsReadNoFurtherThanItsSize() throws IOException {
        PickleBytes root = protocol(2).op('}').string("w");
        tensor(root, "FloatStorage", "0", 2, 0, new long[] {2}, new long[] {1});
        ByteArrayOutputStream inflating = new ByteArrayOutputStream();
        inflating.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f)
                .array());
        inflating.writeBytes(new byte[256 << 20]); // 256 MB of zeros after the storage's 8 bytes
        Path file = write("inflating.pth", zip(Map.of("archive/data.pkl", root.op('s').stop().bytes(),
                "archive/data/0", inflating.toByteArray())));

        TorchCheckpoint checkpoint = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> TorchCheckpoint.read(file));

        assertTensor(new long[] {2}, new float[] {1.5f, -2f}, checkpoint.stateDict().get("w"));
        assertTrue(Files.size(file) < 2 << 20, "the archive is small: " + Files.size(file));
    }

    @Test
    void aPickleInflatingToMoreThanAStateDictNeedsIsRefused() throws IOException {
        byte[] pickle = new byte[65 << 20];
        Arrays.fill(pickle, (byte) 'N');
        Path file = write("pickle-bomb.pth", zip(Map.of("archive/data.pkl", pickle, "archive/data/0", new byte[4])));

        assertMalformed(file, "its archive/data.pkl is larger than " + (64 << 20) + " bytes");
    }

    // ---------------------------------------------------------------- forbidden globals

    @ParameterizedTest(name = "{0}.{1}, protocol {2}, {3}")
    @CsvSource({
        "posix, system, 2, legacy", "posix, system, 4, legacy", "posix, system, 2, zip", "posix, system, 4, zip",
        "builtins, eval, 2, legacy", "builtins, eval, 4, zip",
        "torch, load, 2, legacy", "torch, load, 4, zip",
        "numpy.core.multiarray, _reconstruct, 2, legacy", "numpy.core.multiarray, _reconstruct, 4, zip",
        "torch._utils, _rebuild_device_tensor_from_numpy, 4, zip", "collections, defaultdict, 2, legacy",
    })
    void forbiddenGlobalInTheStateDictIsRefused(String module, String name, int protocol, String format)
            throws IOException {
        Path marker = dir.resolve("marker");
        PickleBytes root = protocol(protocol).op('}').string("state_dict").op('}').op('(').string("w");
        tensor(root, "FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        root.string("evil");
        if (protocol >= 4) {
            root.stackGlobal(module, name);
        } else {
            root.global(module, name);
        }
        root.string("touch " + marker).op(0x85).op('R').op('u').op('s').stop();
        Path file = write("evil.pth", format.equals("zip")
                ? zip(Map.of("archive/data.pkl", root.bytes(), "archive/data/0", new byte[4]))
                : legacy(root.bytes(), List.of("0"), floats(1)));

        ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class, () -> TorchCheckpoint.read(file));

        assertTrue(e.getMessage().contains("'" + module + "." + name + "'"), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertFalse(Files.exists(marker));
    }

    @Test
    void forbiddenGlobalInTheLegacyHeaderIsRefused() throws IOException {
        byte[] header = protocol(2).global("posix", "system").string("true").op(0x85).op('R').stop().bytes();
        Path file = write("evil.pth", header);

        ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class, () -> TorchCheckpoint.read(file));

        assertTrue(e.getMessage().contains("'posix.system'"), e.getMessage());
    }

    @Test
    void forbiddenGlobalWrittenByTorchSaveIsRefusedAndNotRun() throws IOException {
        Path marker = dir.resolve("marker");
        byte[] original = Files.readAllBytes(resource("legacy_forbidden_global.pth"));
        Path file = write("evil.pth", replaceString(original, "touch MARKER", "touch " + marker));

        ForbiddenGlobalException e = assertThrows(ForbiddenGlobalException.class, () -> TorchCheckpoint.read(file));

        assertTrue(e.getMessage().contains("'posix.system'"), e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertFalse(Files.exists(marker));
    }

    // ---------------------------------------------------------------- damaged bytes

    @ParameterizedTest
    @ValueSource(strings = {"legacy_checkpoint.pth", "zip_checkpoint.pth", "legacy_state_dict.pth",
        "zip_state_dict.pth", DEFLATED})
    void damagedBytesAreReadOrRefusedAsMalformed(String name) throws IOException {
        byte[] original = fixture(name);
        Path file = dir.resolve("fuzz.pth");
        Random random = new Random(name.hashCode());
        List<String> failures = new ArrayList<>();
        int[] outcomes = new int[2];

        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int variant = 0; variant < 300; variant++) {
                byte[] bytes = original.clone();
                String damage = damage(bytes, variant, random);
                int length = variant % 5 == 4 ? random.nextInt(bytes.length) : bytes.length;
                Files.write(file, Arrays.copyOf(bytes, length));
                try {
                    TorchCheckpoint.read(file);
                    outcomes[0]++;
                } catch (MalformedFileException e) {
                    outcomes[1]++;
                } catch (Throwable e) {
                    failures.add(variant + " (" + damage + "length " + length + "): " + e + " at "
                            + Arrays.toString(Arrays.copyOf(e.getStackTrace(), 3)));
                }
            }
        });

        assertEquals(List.of(), failures);
        assertTrue(outcomes[1] > 0, "some damage must be noticed");
    }

    /** Damages bytes in place, each variant in one of four ways; returns what it did. */
    private static String damage(byte[] bytes, int variant, Random random) {
        StringBuilder what = new StringBuilder();
        int times = 1 + random.nextInt(3);
        for (int t = 0; t < times; t++) {
            int at = random.nextInt(bytes.length);
            switch (variant % 4) {
                case 0 -> {
                    int bit = random.nextInt(8);
                    bytes[at] ^= (byte) (1 << bit);
                    what.append("bit ").append(bit).append(" flipped at ").append(at).append("; ");
                }
                case 1 -> {
                    byte value = (byte) random.nextInt(256);
                    bytes[at] = value;
                    what.append(value & 0xff).append(" written at ").append(at).append("; ");
                }
                case 2 -> {
                    byte value = new byte[] {0, 0x7f, (byte) 0x80, (byte) 0xff}[random.nextInt(4)];
                    Arrays.fill(bytes, at, Math.min(bytes.length, at + 1 + random.nextInt(8)), value);
                    what.append("run of ").append(value & 0xff).append(" from ").append(at).append("; ");
                }
                default -> {
                    int from = random.nextInt(bytes.length);
                    bytes[at] = bytes[from];
                    what.append("byte ").append(from).append(" copied to ").append(at).append("; ");
                }
            }
        }
        return what.toString();
    }

    // ---------------------------------------------------------------- helpers

    private static void assertTensor(long[] shape, float[] values, INDArray actual) {
        assertEquals(DataType.FLOAT, actual.dataType());
        assertArrayEquals(shape, actual.shape());
        assertArrayEquals(values, actual.dup('c').data().asFloat());
    }

    private static MalformedFileException assertMalformed(Path file, String expected) {
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> TorchCheckpoint.read(file));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e;
    }

    private byte[] fixture(String name) throws IOException {
        return name.equals(DEFLATED) ? zip(entries(resource("zip_checkpoint.pth")))
                : Files.readAllBytes(resource(name));
    }

    private Path resource(String name) {
        return classpath("/torch/" + name);
    }

    private Path numpy(String name) {
        return classpath("/numpy/" + name);
    }

    private Path classpath(String name) {
        URL url = getClass().getResource(name);
        assertTrue(url != null, name);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The root pickle of a checkpoint with every global resolved to a callable returning its arguments (an
     * OrderedDict to a map) and every persistent id left as it is: the structure torch.save wrote.
     */
    private static Map<?, ?> rawPickle(Path file) throws IOException {
        RestrictedUnpickler.Globals anything = (module, name) -> (RestrictedUnpickler.Callable) arguments ->
                name.equals("OrderedDict") ? new LinkedHashMap<>() : arguments;
        if (Files.readAllBytes(file)[0] == 'P') {
            try (ZipFile zip = new ZipFile(file.toFile())) {
                ZipEntry pkl = zip.stream().filter(e -> e.getName().endsWith("/data.pkl")).findFirst().orElseThrow();
                ByteBuffer bytes = ByteBuffer.wrap(zip.getInputStream(pkl).readAllBytes());
                return (Map<?, ?>) new RestrictedUnpickler(bytes, "raw", anything, pid -> pid).load();
            }
        }
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        for (int i = 0; i < 3; i++) {
            new RestrictedUnpickler(bytes, "raw", anything, pid -> pid).load();
        }
        return (Map<?, ?>) new RestrictedUnpickler(bytes, "raw", anything, pid -> pid).load();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** {@code _rebuild_tensor_v2(storage, offset, shape, stride, False, OrderedDict())}, the storage by pid. */
    private static void tensor(PickleBytes p, String storageType, String key, long elements, long offset,
            long[] shape, long[] stride) {
        p.global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').string("storage").global("torch", storageType).string(key).string("cpu").long8(elements)
                .op('N').op('t').op('Q')
                .long8(offset).longs(shape).longs(stride).op(0x89)
                .global("collections", "OrderedDict").op(')').op('R')
                .op('t').op('R');
    }

    /** A legacy file: header, root pickle, the list of storage keys, then each storage (count and bytes). */
    private static byte[] legacy(byte[] root, List<String> keys, byte[]... storages) {
        PickleBytes keyList = protocol(2).op('(');
        keys.forEach(keyList::string);
        return concat(LEGACY_HEADER, root, keyList.op('l').stop().bytes(), concat(storages));
    }

    private static byte[] floats(float... values) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(values.length);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static byte[] ints(int... values) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(values.length);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] zip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(entries).entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTime(0);
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static Map<String, byte[]> entries(Path zipFile) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(zipFile.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                entries.put(e.getName(), zip.getInputStream(e).readAllBytes());
            }
        }
        return entries;
    }

    /** Replaces a BINUNICODE string of a pickle, fixing its length. */
    private static byte[] replaceString(byte[] pickle, String old, String replacement) {
        byte[] oldBytes = old.getBytes(StandardCharsets.UTF_8);
        byte[] field = concat(new PickleBytes().string(old).bytes());
        String haystack = new String(pickle, StandardCharsets.ISO_8859_1);
        int at = haystack.indexOf(new String(field, StandardCharsets.ISO_8859_1));
        if (at < 0 || haystack.indexOf(new String(field, StandardCharsets.ISO_8859_1), at + 1) >= 0) {
            fail("expected one string '" + old + "' in the fixture");
        }
        byte[] newField = new PickleBytes().string(replacement).bytes();
        return concat(Arrays.copyOf(pickle, at), newField,
                Arrays.copyOfRange(pickle, at + 5 + oldBytes.length, pickle.length));
    }
}
