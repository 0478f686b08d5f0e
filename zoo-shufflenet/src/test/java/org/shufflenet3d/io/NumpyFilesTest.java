package org.shufflenet3d.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shufflenet3d.ReferenceOps.assertSameValues;
import static org.shufflenet3d.ReferenceOps.floats;
import static org.shufflenet3d.ReferenceOps.uniform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Reading and writing NumPy's .npy and .npz formats, with files written byte by byte where the format matters. */
class NumpyFilesTest {

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- round trips

    @ParameterizedTest(name = "rank {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void npyRoundTripsEveryRank(int rank) throws IOException {
        long[] shape = Arrays.copyOf(new long[] {7, 3, 2, 1, 4}, rank);
        INDArray array = uniform(rank, -10, 10, shape);
        Path file = dir.resolve("a.npy");

        NumpyFiles.writeNpy(file, array);

        INDArray read = NumpyFiles.readNpy(file);
        assertEquals(DataType.FLOAT, read.dataType());
        assertSameValues(array, read);
    }

    @Test
    void rowsWrittenOneAtATimeReadBackAsTheirMatrix() throws IOException {
        INDArray matrix = uniform(2, -5, 5, 3, 7);
        Path file = dir.resolve("rows.npy");
        try (NumpyFiles.RowWriter rows = new NumpyFiles.RowWriter(file, 7)) {
            for (int r = 0; r < 3; r++) {
                rows.append(matrix.getRow(r).toFloatVector());
            }
            assertThrows(IllegalArgumentException.class, () -> rows.append(new float[6]));
        }
        assertSameValues(matrix, NumpyFiles.readNpy(file));

        Path none = dir.resolve("none.npy");
        new NumpyFiles.RowWriter(none, 7).close();
        assertArrayEquals(new long[] {0, 7}, NumpyFiles.readNpy(none).shape());
    }

    @Test
    void npyWritesAViewInLogicalOrder() throws IOException {
        INDArray view = uniform(1, -1, 1, 3, 4).transpose();
        Path file = dir.resolve("view.npy");

        NumpyFiles.writeNpy(file, view);

        assertSameValues(view.dup('c'), NumpyFiles.readNpy(file));
    }

    @Test
    void npyIsWrittenAsLittleEndianFloat32InCOrder() throws IOException {
        INDArray array = Nd4j.create(new float[] {1.5f, -2f, 3.25f, 0f, 1e-3f, 7f}, new long[] {2, 3}, 'c');
        Path file = dir.resolve("a.npy");

        NumpyFiles.writeNpy(file, array.castTo(DataType.DOUBLE));

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        bytes.get(magic);
        assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}, magic);
        int headerLength = Short.toUnsignedInt(bytes.getShort());
        byte[] headerBytes = new byte[headerLength];
        bytes.get(headerBytes);
        String header = new String(headerBytes, StandardCharsets.US_ASCII);
        assertEquals(0, (10 + headerLength) % 64, "data aligned to 64 bytes");
        assertTrue(header.endsWith("\n"), header);
        assertTrue(header.contains("'descr': '<f4'"), header);
        assertTrue(header.contains("'fortran_order': False"), header);
        assertTrue(header.contains("'shape': (2, 3)"), header);
        float[] data = new float[6];
        bytes.asFloatBuffer().get(data);
        assertArrayEquals(floats(array), data);
        assertEquals(6 * 4, bytes.remaining());
    }

    @Test
    void npyWritesARank1ShapeAsATuple() throws IOException {
        Path file = dir.resolve("a.npy");

        NumpyFiles.writeNpy(file, Nd4j.createFromArray(1f, 2f, 3f));

        assertTrue(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains("'shape': (3,)"));
    }

    @Test
    void npzRoundTripKeepsNamesAndOrder() throws IOException {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        arrays.put("zeta", uniform(1, -1, 1, 4));
        arrays.put("alpha", uniform(2, -1, 1, 2, 3));
        arrays.put("layer1.0.conv1.weight", uniform(3, -1, 1, 6, 2, 1, 1, 1));
        arrays.put("module.m", uniform(4, -1, 1, 1, 1, 1));
        Path file = dir.resolve("weights.npz");

        NumpyFiles.writeNpz(file, arrays);

        Map<String, INDArray> read = NumpyFiles.readNpz(file);
        assertEquals(List.copyOf(arrays.keySet()), List.copyOf(read.keySet()));
        arrays.forEach((name, array) -> assertSameValues(array, read.get(name)));
    }

    // ---------------------------------------------------------------- element types and layouts

    @Test
    void readsFloat32InEitherByteOrder() throws IOException {
        float[] values = {1.5f, -0.25f, 3e7f, Float.MIN_VALUE, -0f, Float.NaN};
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(order);
            data.asFloatBuffer().put(values);
            String descr = (order == ByteOrder.LITTLE_ENDIAN ? "<" : ">") + "f4";

            INDArray read = read(npy(descr, false, "(2, 3)", data.array()));

            assertArrayEquals(new long[] {2, 3}, read.shape(), descr);
            assertArrayEquals(values, floats(read), descr);
        }
    }

    @Test
    void readsFloat64AsFloat64() throws IOException {
        double[] values = {0.1, -2.5, 1e-3, 123456.789};
        ByteBuffer data = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        data.asDoubleBuffer().put(values);

        INDArray read = read(npy("<f8", false, "(4,)", data.array()));

        assertEquals(DataType.DOUBLE, read.dataType());
        assertArrayEquals(values, read.toDoubleVector());
    }

    @Test
    void readsBigEndianFloat64() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(-0.75).putDouble(3.0);

        assertArrayEquals(new float[] {-0.75f, 3f}, floats(read(npy(">f8", false, "(2,)", data.array()))));
    }

    @Test
    void readsFloat16() throws IOException {
        short[] halves = {
            0x3C00, (short) 0xC000, 0x3555, 0x7BFF, 0x0400, 0x0001, 0x03FF, (short) 0x8001,
            0x7C00, (short) 0xFC00, (short) 0x8000, 0x7E00};
        float[] expected = {
            1f, -2f, 0.33325195f, 65504f, 0x1p-14f, 0x1p-24f, 1023 * 0x1p-24f, -0x1p-24f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.NaN};
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            ByteBuffer data = ByteBuffer.allocate(2 * halves.length).order(order);
            data.asShortBuffer().put(halves);
            String descr = (order == ByteOrder.LITTLE_ENDIAN ? "<" : ">") + "f2";

            assertArrayEquals(expected, floats(read(npy(descr, false, "(12,)", data.array()))), descr);
        }
    }

    @Test
    void readsUnsignedBytes() throws IOException {
        byte[] data = {0, 1, 127, (byte) 128, (byte) 200, (byte) 255};

        INDArray read = read(npy("|u1", false, "(3, 2)", data));

        assertArrayEquals(new long[] {3, 2}, read.shape());
        assertArrayEquals(new float[] {0, 1, 127, 128, 200, 255}, floats(read));
    }

    @Test
    void readsInt64() throws IOException {
        ByteBuffer little = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(-5).putLong(7).putLong(1L << 40);
        ByteBuffer big = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN)
                .putLong(-5).putLong(7).putLong(1L << 40);

        float[] expected = {-5f, 7f, 0x1p40f};
        assertArrayEquals(expected, floats(read(npy("<i8", false, "(3,)", little.array()))));
        assertArrayEquals(expected, floats(read(npy(">i8", false, "(3,)", big.array()))));
    }

    @Test
    void readsSmallerIntegersAndBooleans() throws IOException {
        assertArrayEquals(new float[] {-128, 127}, floats(read(npy("|i1", false, "(2,)", new byte[] {-128, 127}))));
        ByteBuffer shorts = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) -300)
                .putShort((short) 300);
        assertArrayEquals(new float[] {-300, 300}, floats(read(npy("<i2", false, "(2,)", shorts.array()))));
        ByteBuffer ints = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(-70000).putInt(70000);
        assertArrayEquals(new float[] {-70000, 70000}, floats(read(npy(">i4", false, "(2,)", ints.array()))));
        assertArrayEquals(new float[] {1, 0, 1}, floats(read(npy("|b1", false, "(3,)", new byte[] {1, 0, 1}))));
    }

    @Test
    void readsUnsignedIntegers() throws IOException {
        ByteBuffer u2 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0).putShort((short) -1);
        ByteBuffer u4 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(7).putInt(-1);
        ByteBuffer u8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(3);

        assertArrayEquals(new float[] {0, 65535}, floats(read(npy("<u2", false, "(2,)", u2.array()))));
        assertArrayEquals(new float[] {7, 4294967295f}, floats(read(npy(">u4", false, "(2,)", u4.array()))));
        assertArrayEquals(new float[] {0x1p40f, 3}, floats(read(npy("<u8", false, "(2,)", u8.array()))));
    }

    @Test
    void readsFortranOrder() throws IOException {
        // a[i][j][k] = 100i + 10j + k for shape (2, 3, 4), stored with the first index varying fastest
        ByteBuffer data = ByteBuffer.allocate(4 * 24).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < 4; k++) {
            for (int j = 0; j < 3; j++) {
                for (int i = 0; i < 2; i++) {
                    data.putFloat(100 * i + 10 * j + k);
                }
            }
        }

        INDArray read = read(npy("<f4", true, "(2, 3, 4)", data.array()));

        assertSameValues(hundredsTensAndUnits(), read);
    }

    @Test
    void readsNumpysOwnFortranOrderBigEndianFile() throws IOException {
        // np.save(f, np.asfortranarray(np.arange(24, dtype=">f4").reshape(2, 3, 4)))
        INDArray read = NumpyFiles.readNpy(resource("fortran_big_endian.npy"));

        assertSameValues(Nd4j.arange(24).castTo(DataType.FLOAT).reshape('c', 2, 3, 4), read);
    }

    @Test
    void readsFormatVersion2Headers() throws IOException {
        byte[] v1 = npy("<f4", false, "(2,)", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putFloat(4f).putFloat(-4f).array());
        int headerLength = Short.toUnsignedInt(ByteBuffer.wrap(v1, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort());
        ByteBuffer v2 = ByteBuffer.allocate(v1.length + 2).order(ByteOrder.LITTLE_ENDIAN);
        v2.put(v1, 0, 6).put((byte) 2).put((byte) 0).putInt(headerLength).put(v1, 10, v1.length - 10);

        assertArrayEquals(new float[] {4f, -4f}, floats(read(v2.array())));
    }

    @Test
    void readsAScalar() throws IOException {
        byte[] data = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(2.5f).array();

        INDArray read = read(npy("<f4", false, "()", data));

        assertEquals(0, read.rank());
        assertEquals(2.5f, read.getFloat(0));
    }

    // ---------------------------------------------------------------- archives written elsewhere

    @Test
    void readsADeflatedArchiveLikeSavezCompressed() throws IOException {
        Path file = dir.resolve("compressed.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.setMethod(ZipOutputStream.DEFLATED);
            addEntry(zip, "b.npy", floatNpy("(2,)", 1f, 2f));
            addEntry(zip, "a.npy", floatNpy("(1, 3)", -1f, 0f, 1f));
        }

        Map<String, INDArray> read = NumpyFiles.readNpz(file);

        assertEquals(List.of("b", "a"), List.copyOf(read.keySet()));
        assertArrayEquals(new float[] {1f, 2f}, floats(read.get("b")));
        assertArrayEquals(new long[] {1, 3}, read.get("a").shape());
        assertArrayEquals(new float[] {-1f, 0f, 1f}, floats(read.get("a")));
    }

    @Test
    void readsAStoredArchiveLikeSavez() throws IOException {
        Path file = dir.resolve("stored.npz");
        byte[] npy = floatNpy("(3,)", 5f, 6f, 7f);
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            ZipEntry entry = new ZipEntry("x.npy");
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(npy.length);
            CRC32 crc = new CRC32();
            crc.update(npy);
            entry.setCrc(crc.getValue());
            zip.putNextEntry(entry);
            zip.write(npy);
            zip.closeEntry();
        }

        assertArrayEquals(new float[] {5f, 6f, 7f}, floats(NumpyFiles.readNpz(file).get("x")));
    }

    /** Archives numpy itself wrote: ZIP64 local headers (savez) and deflated entries (savez_compressed). */
    @ParameterizedTest
    @ValueSource(strings = {"savez.npz", "savez_compressed.npz"})
    void readsNumpysOwnArchives(String name) throws IOException {
        // np.savez(f, weight=np.arange(6, dtype=np.float32).reshape(2, 3) / 4, bias=np.array([0.5, -1.5]))
        Map<String, INDArray> read = NumpyFiles.readNpz(resource(name));

        assertEquals(List.of("weight", "bias"), List.copyOf(read.keySet()));
        assertSameValues(Nd4j.create(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, new long[] {2, 3}, 'c'),
                read.get("weight"));
        assertArrayEquals(new float[] {0.5f, -1.5f}, floats(read.get("bias")));
    }

    // ---------------------------------------------------------------- broken and missing files

    @Test
    void refusesATruncatedNpy() throws IOException {
        byte[] whole = floatNpy("(2, 3)", 1, 2, 3, 4, 5, 6);

        MalformedFileException data = assertThrows(MalformedFileException.class,
                () -> read(Arrays.copyOf(whole, whole.length - 3)));
        MalformedFileException header = assertThrows(MalformedFileException.class,
                () -> read(Arrays.copyOf(whole, 30)));

        assertTrue(data.getMessage().contains("truncated"), data.getMessage());
        assertTrue(data.getMessage().contains("needs 24 data bytes, the file has 21"), data.getMessage());
        assertTrue(header.getMessage().contains("truncated"), header.getMessage());
    }

    @Test
    void refusesATruncatedVersion2Header() {
        byte[] cut = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 118, 0};

        MalformedFileException e = assertThrows(MalformedFileException.class, () -> read(cut));

        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello, this is text and not an array", "PK", ""})
    void refusesAFileThatIsNotNpy(String content) throws IOException {
        Path file = dir.resolve("fake.npy");
        Files.writeString(file, content);

        MalformedFileException e = assertThrows(MalformedFileException.class, () -> NumpyFiles.readNpy(file));

        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not a NumPy .npy array"), e.getMessage());
    }

    @Test
    void refusesAnUnsupportedElementType() {
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> read(npy("<c8", false, "(1,)", new byte[8])));

        assertTrue(e.getMessage().contains("unsupported element type c8"), e.getMessage());
    }

    @Test
    void refusesAnArchiveHoldingSomethingElse() throws IOException {
        Path file = dir.resolve("mixed.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            addEntry(zip, "a.npy", floatNpy("(1,)", 1f));
            addEntry(zip, "notes.txt", "not an array".getBytes(StandardCharsets.US_ASCII));
        }

        MalformedFileException e = assertThrows(MalformedFileException.class, () -> NumpyFiles.readNpz(file));

        assertTrue(e.getMessage().contains("'notes.txt' is not an array"), e.getMessage());
    }

    @Test
    void refusesAnArchiveWithABrokenArray() throws IOException {
        Path file = dir.resolve("broken.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            addEntry(zip, "w.npy", "garbage".getBytes(StandardCharsets.US_ASCII));
        }

        MalformedFileException e = assertThrows(MalformedFileException.class, () -> NumpyFiles.readNpz(file));

        assertTrue(e.getMessage().contains("broken.npz:w.npy"), e.getMessage());
    }

    @Test
    void refusesAnEmptyArchive() throws IOException {
        Path file = dir.resolve("empty.npz");
        new ZipOutputStream(Files.newOutputStream(file)).close();

        MalformedFileException e = assertThrows(MalformedFileException.class, () -> NumpyFiles.readNpz(file));

        assertTrue(e.getMessage().contains("no entries"), e.getMessage());
    }

    @Test
    void refusesANonArchiveAsNpz() throws IOException {
        Path file = dir.resolve("array.npz");
        Files.write(file, floatNpy("(1,)", 1f));

        assertThrows(MalformedFileException.class, () -> NumpyFiles.readNpz(file));
    }

    @Test
    void refusesATruncatedArchive() throws IOException {
        Path whole = dir.resolve("whole.npz");
        NumpyFiles.writeNpz(whole, Map.of("w", uniform(1, -1, 1, 10, 10)));
        byte[] bytes = Files.readAllBytes(whole);
        Path file = dir.resolve("cut.npz");
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));

        assertThrows(MalformedFileException.class, () -> NumpyFiles.readNpz(file));
    }

    // ---------------------------------------------------------------- what a file claims

    @Test
    void anArchiveMemberClaimingGigabytesIsRefusedBeforeItIsRead() throws IOException {
        Path file = dir.resolve("bomb.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            addEntry(zip, "w.npy", npy("<f4", false, "(750000000,)", new byte[64]));
        }

        MalformedFileException e = assertThrows(MalformedFileException.class, () -> NumpyFiles.readNpz(file));

        assertTrue(e.getMessage().contains("bomb.npz:w.npy: an array of shape [750000000] (750000000 elements),"
                + " more than the " + NumpyFiles.MAX_ELEMENTS), e.getMessage());
    }

    @Test
    void anArchiveMemberIsReadNoFurtherThanItsHeaderSays() throws IOException {
        Path file = dir.resolve("inflating.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("w.npy"));
            zip.write(floatNpy("(2,)", 1f, 2f));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                zip.write(zeros); // 256 MB more, a few hundred KB deflated
            }
            zip.closeEntry();
        }

        Map<String, INDArray> read = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> NumpyFiles.readNpz(file));

        assertArrayEquals(new float[] {1f, 2f}, floats(read.get("w")));
        assertTrue(Files.size(file) < 2 << 20, "the archive is small: " + Files.size(file));
    }

    @Test
    void anArrayClaimingMoreThanItsFileHoldsIsRefusedBeforeItIsAllocated() {
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> read(npy("<f8", false, "(200000000,)", new byte[16])));

        assertTrue(e.getMessage().contains("truncated: shape [200000000] of f8 needs 1600000000 data bytes, the file"
                + " has 16"), e.getMessage());
    }

    @Test
    void anArrayLargerThanAllowedIsRefused() {
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> NumpyFiles.readNpy(
                new java.io.ByteArrayInputStream(floatNpy("(3, 4)", new float[12])), "clips", 11, -1));

        assertTrue(e.getMessage().contains("clips: an array of shape [3, 4] (12 elements), more than the 11"),
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'x': \"'descr': '<f4', \", 'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), 'descr': '<f4', }",
        "{'descr': '<i8', 'fortran_order': False, }",
        "{'descr': '<\\x66\\x34', 'fortran_order': False, 'shape': (2,), }",
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), } trailing",
        "{'descr': '<i8', 'fortran_order': 0, 'shape': (2,), }",
        "{'descr': '<i8', 'fortran_order': False, 'shape': (-2,), }",
    })
    void aHeaderIsReadAsTheLiteralItIsOrRefused(String header) {
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(9).array();

        MalformedFileException e = assertThrows(MalformedFileException.class, () -> read(npyWithHeader(header, data)));

        assertTrue(e.getMessage().contains(".npy header"), e.getMessage());
    }

    @Test
    void aHeaderWhoseKeysAreInAnotherOrderWithLongsIsRead() throws IOException {
        byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(7).putLong(9).array();

        INDArray read = read(npyWithHeader("{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"<i8\"}",
                data));

        assertArrayEquals(new float[] {7f, 9f}, floats(read));
    }

    @Test
    void aShapeWhoseSizeOverflowsIsMalformed() {
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> read(npy("<f4", false, "(4294967296, 4294967296, 4294967296)", new byte[4])));

        assertTrue(e.getMessage().contains("more elements than can be counted"), e.getMessage());
    }

    @Test
    void entryNamesThatAreNotUtf8AreNamedAsTheProblem() throws IOException {
        Path file = dir.resolve("latin1.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file), StandardCharsets.ISO_8859_1)) {
            addEntry(zip, "caf\u00e9.npy", floatNpy("(1,)", 1f));
            addEntry(zip, "na\u00efve.npy", floatNpy("(1,)", 2f));
        }

        MalformedFileException e = assertThrows(MalformedFileException.class, () -> NumpyFiles.readNpz(file));

        assertTrue(e.getMessage().contains("entry names are not UTF-8"), e.getMessage());
    }

    @Test
    void reportsMissingFiles() {
        Path file = dir.resolve("absent.npy");

        NoSuchFileException npy = assertThrows(NoSuchFileException.class, () -> NumpyFiles.readNpy(file));
        NoSuchFileException npz = assertThrows(NoSuchFileException.class,
                () -> NumpyFiles.readNpz(dir.resolve("absent.npz")));

        assertTrue(npy.getMessage().contains("absent.npy"), npy.getMessage());
        assertTrue(npz.getMessage().contains("absent.npz"), npz.getMessage());
    }

    // ---------------------------------------------------------------- atomic replacement

    @Test
    void writeNpzReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("weights.npz");
        NumpyFiles.writeNpz(file, Map.of("old", uniform(1, -1, 1, 50)));
        Map<String, INDArray> replacement = Map.of("new", uniform(2, -1, 1, 2, 2));

        NumpyFiles.writeNpz(file, replacement);

        Map<String, INDArray> read = NumpyFiles.readNpz(file);
        assertEquals(List.of("new"), List.copyOf(read.keySet()));
        assertSameValues(replacement.get("new"), read.get("new"));
        assertEquals(List.of(file), listDirectory());
    }

    @Test
    void aFailedWriteKeepsTheOldFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("weights.npz");
        NumpyFiles.writeNpz(file, Map.of("old", uniform(1, -1, 1, 5)));
        byte[] before = Files.readAllBytes(file);
        Map<String, INDArray> failing = new LinkedHashMap<>();
        failing.put("fine", uniform(2, -1, 1, 2000));
        failing.put("missing", null);

        assertThrows(RuntimeException.class, () -> NumpyFiles.writeNpz(file, failing));

        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), listDirectory());
    }

    @Test
    void writesIntoDirectoriesThatDoNotExistYet() throws IOException {
        Path file = dir.resolve("a/b/c.npy");

        NumpyFiles.writeNpy(file, Nd4j.createFromArray(1f, 2f));

        assertArrayEquals(new float[] {1f, 2f}, floats(NumpyFiles.readNpy(file)));
    }

    // ---------------------------------------------------------------- helpers

    /** A version 1.0 .npy file: magic, header padded so the data starts at a multiple of 64, data. */
    private static byte[] npy(String descr, boolean fortranOrder, String shape, byte[] data) {
        return npyWithHeader("{'descr': '" + descr + "', 'fortran_order': " + (fortranOrder ? "True" : "False")
                + ", 'shape': " + shape + ", }", data);
    }

    /** An .npy file of format 1.0 with {@code dict} as its header, padded as NumPy pads it. */
    private static byte[] npyWithHeader(String dict, byte[] data) {
        StringBuilder header = new StringBuilder(dict);
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        return ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
                .putShort((short) header.length())
                .put(header.toString().getBytes(StandardCharsets.US_ASCII))
                .put(data)
                .array();
    }

    private static byte[] floatNpy(String shape, float... values) {
        ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        return npy("<f4", false, shape, data.array());
    }

    private INDArray read(byte[] npy) throws IOException {
        Path file = Files.createTempFile(dir, "array", ".npy");
        Files.write(file, npy);
        return NumpyFiles.readNpy(file);
    }

    private static void addEntry(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }

    private static INDArray hundredsTensAndUnits() {
        float[] values = new float[24];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    values[(i * 3 + j) * 4 + k] = 100 * i + 10 * j + k;
                }
            }
        }
        return Nd4j.create(values, new long[] {2, 3, 4}, 'c');
    }

    /** A fixture from src/test/resources/numpy, copied out of the class path. */
    private Path resource(String name) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = NumpyFilesTest.class.getResourceAsStream("/numpy/" + name)) {
            if (in == null) {
                throw new NoSuchFileException("/numpy/" + name);
            }
            Files.copy(in, file);
        }
        return file;
    }

    private List<Path> listDirectory() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
