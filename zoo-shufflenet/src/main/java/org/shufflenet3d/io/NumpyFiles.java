package org.shufflenet3d.io;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy's {@code .npy} and {@code .npz} files as ND4J arrays. Reads any byte order, C or Fortran order,
 * float64 (kept as double), float16/32 and integer types (converted to float32), and compressed or plain archives;
 * writes float32 C-order little-endian, through a temporary file renamed into place.
 *
 * <p>What a file claims is checked before it is believed: the header is parsed as the Python literal it is (a
 * dict of exactly {@code descr}, {@code fortran_order} and {@code shape}), an array is read only as far as its
 * header says, and a file's arrays together may hold at most {@link #MAX_ELEMENTS} elements, so that a small
 * archive whose members claim or inflate to gigabytes is refused before they are read.
 */
public final class NumpyFiles {

    /**
     * The most elements the arrays of one file may hold together: 1 GiB of float32, five times the state_dict of
     * the largest network (ShuffleNet V2 2.0x) with 20,000 classes.
     */
    public static final long MAX_ELEMENTS = 1L << 28;

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("([<>|=])([a-z])(\\d+)");
    private static final int MAX_HEADER_BYTES = 1 << 16;
    private static final int CHUNK_BYTES = 1 << 16;
    private static final String EXPECTED = "a NumPy .npy array of numbers";

    private NumpyFiles() {
    }

    public static INDArray readNpy(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(InputFiles.require(file))) {
            return readNpy(in, file.toString(), MAX_ELEMENTS, Files.size(file));
        }
    }

    /** The arrays of an .npz archive by name (without the {@code .npy} suffix), in archive order. */
    public static Map<String, INDArray> readNpz(Path file) throws IOException {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        long budget = MAX_ELEMENTS;
        try (ZipFile zip = ZipArchives.open(file, "an .npz archive of .npy arrays")) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String name = entry.getName();
                if (!name.endsWith(".npy")) {
                    throw new MalformedFileException(file + ": entry '" + name
                            + "' is not an array; expected an .npz archive of .npy arrays");
                }
                String key = name.substring(0, name.length() - 4);
                if (arrays.containsKey(key)) {
                    throw new MalformedFileException(file + ": entry '" + name + "' appears twice; expected an"
                            + " .npz archive of arrays with distinct names");
                }
                INDArray array;
                try (InputStream in = zip.getInputStream(entry)) {
                    array = readNpy(in, file + ":" + name, budget, entry.getSize());
                }
                budget -= array.length();
                arrays.put(key, array);
            }
        } catch (ZipException | EOFException e) {
            throw new MalformedFileException(file + ": not a readable .npz archive (" + e.getMessage() + ")", e);
        }
        if (arrays.isEmpty()) {
            throw new MalformedFileException(file + ": not an .npz archive of arrays (no entries found)");
        }
        return arrays;
    }

    public static void writeNpy(Path file, INDArray array) throws IOException {
        AtomicFiles.write(file, out -> out.write(toNpy(array)));
    }

    public static void writeNpz(Path file, Map<String, INDArray> arrays) throws IOException {
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(toNpy(e.getValue()));
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /** The bytes of an .npy file holding {@code array} as float32. */
    public static byte[] toNpy(INDArray array) {
        INDArray values = array.castTo(DataType.FLOAT).dup('c');
        byte[] header = float32Header(values.shape(), 0);
        float[] data = values.data().asFloat();
        ByteBuffer buffer = ByteBuffer.allocate(header.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(header);
        buffer.asFloatBuffer().put(data);
        return buffer.array();
    }

    /**
     * The magic, version and header of a C-order little-endian float32 .npy file of {@code shape}, padded with spaces
     * to a multiple of 64 bytes and to at least {@code minimumLength}.
     */
    private static byte[] float32Header(long[] shape, int minimumLength) {
        String dimensions = Arrays.toString(shape).replace('[', '(').replace(']', ')');
        if (shape.length == 1) {
            dimensions = dimensions.replace(")", ",)");
        }
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + dimensions
                + ", }");
        while ((MAGIC.length + 4 + header.length() + 1) % 64 != 0
                || MAGIC.length + 4 + header.length() + 1 < minimumLength) {
            header.append(' ');
        }
        header.append('\n');
        ByteBuffer buffer = ByteBuffer.allocate(MAGIC.length + 4 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buffer.put(header.toString().getBytes(StandardCharsets.US_ASCII));
        return buffer.array();
    }

    /**
     * Writes a float32 .npy matrix [rows, {@code columns}] one row at a time, however many rows there will be: the
     * header, written first with room for any row count, gets the count when the writer is closed. Memory does not
     * grow with the rows.
     */
    public static final class RowWriter implements Closeable {

        private static final int HEADER_BYTES = 128;

        private final FileChannel channel;
        private final int columns;
        private final ByteBuffer row;
        private long rows;

        /** Starts {@code file} (created or truncated), for rows of {@code columns} values. */
        public RowWriter(Path file, int columns) throws IOException {
            this.columns = columns;
            this.row = ByteBuffer.allocate(4 * columns).order(ByteOrder.LITTLE_ENDIAN);
            this.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            channel.write(ByteBuffer.wrap(float32Header(new long[] {0, columns}, HEADER_BYTES)));
        }

        public void append(float[] values) throws IOException {
            if (values.length != columns) {
                throw new IllegalArgumentException("a row of " + values.length + " values for a matrix of " + columns
                        + " columns");
            }
            row.clear();
            row.asFloatBuffer().put(values);
            while (row.hasRemaining()) {
                channel.write(row);
            }
            rows++;
        }

        /** Writes the row count into the header and closes the file. */
        @Override
        public void close() throws IOException {
            try (channel) {
                byte[] header = float32Header(new long[] {rows, columns}, HEADER_BYTES);
                if (header.length != HEADER_BYTES) {
                    throw new IllegalStateException("an .npy header of " + header.length + " bytes for " + rows
                            + " rows; " + HEADER_BYTES + " were reserved");
                }
                channel.write(ByteBuffer.wrap(header), 0);
            }
        }
    }

    /** An .npy file's array, from its bytes; {@code source} names it in errors. */
    public static INDArray parseNpy(byte[] bytes, String source) throws IOException {
        return readNpy(new ByteArrayInputStream(bytes), source, MAX_ELEMENTS, bytes.length);
    }

    /**
     * The array of an .npy file read from {@code in}, which is read no further than the header says the array
     * goes; {@code source} names it in errors. An array of more than {@code maxElements} elements, or of more data
     * than the file's {@code size} in bytes (when known, else -1) leaves room for, is refused before its data is
     * read.
     */
    public static INDArray readNpy(InputStream in, String source, long maxElements, long size) throws IOException {
        byte[] start = in.readNBytes(MAGIC.length + 2);
        if (start.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(start, MAGIC.length), MAGIC)) {
            throw new MalformedFileException(source + ": not " + EXPECTED + " (missing the \\x93NUMPY magic)");
        }
        int major = start.length > MAGIC.length ? start[MAGIC.length] : 0;
        int lengthBytes = major == 1 ? 2 : 4;
        byte[] length = in.readNBytes(lengthBytes);
        if (major < 1 || major > 3 || start.length < MAGIC.length + 2 || length.length < lengthBytes) {
            throw new MalformedFileException(source + ": truncated or unsupported .npy header (format version "
                    + major + ")");
        }
        ByteBuffer lengthField = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? Short.toUnsignedInt(lengthField.getShort())
                : Integer.toUnsignedLong(lengthField.getInt());
        if (headerLength > MAX_HEADER_BYTES) {
            throw new MalformedFileException(source + ": an .npy header of " + headerLength + " bytes; expected at"
                    + " most " + MAX_HEADER_BYTES);
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new MalformedFileException(source + ": truncated or unsupported .npy header (format version "
                    + major + ")");
        }
        Header header = Header.parse(new String(headerBytes, major == 3 ? StandardCharsets.UTF_8
                : StandardCharsets.ISO_8859_1), source);
        long count = header.elements(source);
        if (count > maxElements) {
            throw new MalformedFileException(source + ": an array of shape " + Arrays.toString(header.shape())
                    + " (" + count + " elements), more than the " + maxElements + " this file may hold");
        }
        long dataBytes = count * header.size();
        long room = size - MAGIC.length - 2 - lengthBytes - headerLength;
        if (size >= 0 && dataBytes > room) {
            throw new MalformedFileException(source + ": truncated: shape " + Arrays.toString(header.shape()) + " of "
                    + header.type() + " needs " + dataBytes + " data bytes, the file has " + Math.max(0, room));
        }
        return readData(in, header, (int) count, source);
    }

    /** Reads the array's data in chunks: float64 stays double, every other type becomes float. */
    private static INDArray readData(InputStream in, Header header, int count, String source) throws IOException {
        int size = header.size();
        boolean doubles = header.type().equals("f8");
        double[] doubleValues = doubles ? new double[count] : null;
        float[] floatValues = doubles ? null : new float[count];
        byte[] chunk = new byte[CHUNK_BYTES];
        long needed = (long) count * size;
        long read = 0;
        for (int i = 0; i < count; ) {
            int want = (int) Math.min(chunk.length, needed - read);
            int got = in.readNBytes(chunk, 0, want);
            read += got;
            if (got < want) {
                throw new MalformedFileException(source + ": truncated: shape " + Arrays.toString(header.shape())
                        + " of " + header.type() + " needs " + needed + " data bytes, the file has " + read);
            }
            ByteBuffer data = ByteBuffer.wrap(chunk, 0, got).order(header.order());
            for (int n = got / size; n > 0; n--, i++) {
                if (doubles) {
                    doubleValues[i] = data.getDouble();
                } else {
                    floatValues[i] = readElement(data, header.kind(), size, source);
                }
            }
        }
        long[] shape = header.shape();
        if (shape.length == 0) {
            return doubles ? Nd4j.scalar(doubleValues[0]) : Nd4j.scalar(floatValues[0]);
        }
        char order = header.fortranOrder() ? 'f' : 'c';
        return (doubles ? Nd4j.create(doubleValues, shape, order) : Nd4j.create(floatValues, shape, order)).dup('c');
    }

    /** The header of an .npy file: {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}. */
    private record Header(ByteOrder order, String type, boolean fortranOrder, long[] shape) {

        private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");
        private static final Set<String> TYPES = Set.of("f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4",
                "u8", "b1");

        static Header parse(String text, String source) throws MalformedFileException {
            Map<String, Object> dict;
            try {
                dict = new Literal(text).dict();
            } catch (IllegalArgumentException e) {
                throw new MalformedFileException(source + ": unreadable .npy header (" + e.getMessage() + "): "
                        + abbreviate(text.strip()));
            }
            if (!dict.keySet().equals(KEYS)) {
                throw new MalformedFileException(source + ": .npy header with keys " + dict.keySet()
                        + "; expected exactly " + new TreeSet<>(KEYS));
            }
            Matcher descr = dict.get("descr") instanceof String d ? DESCR.matcher(d) : null;
            if (descr == null || !descr.matches() || !(dict.get("fortran_order") instanceof Boolean fortran)
                    || !(dict.get("shape") instanceof long[] shape)) {
                throw new MalformedFileException(source + ": unreadable .npy header " + abbreviate(text.strip())
                        + "; expected a descr such as '<f4', fortran_order True or False and a shape tuple");
            }
            String type = descr.group(2) + descr.group(3);
            if (!TYPES.contains(type)) {
                throw new MalformedFileException(source + ": unsupported element type " + type
                        + "; expected float16/32/64 or integers");
            }
            return new Header(descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN, type,
                    fortran, shape);
        }

        char kind() {
            return type.charAt(0);
        }

        int size() {
            return type.charAt(1) - '0';
        }

        long elements(String source) throws MalformedFileException {
            try {
                return Arrays.stream(shape).reduce(1, Math::multiplyExact);
            } catch (ArithmeticException e) {
                throw new MalformedFileException(source + ": an .npy header of shape " + Arrays.toString(shape)
                        + ", more elements than can be counted");
            }
        }
    }

    /** The Python literals of an .npy header: a dict of strings, booleans and tuples of integers. */
    private static final class Literal {
        private final String text;
        private int at;

        Literal(String text) {
            this.text = text;
        }

        Map<String, Object> dict() {
            Map<String, Object> dict = new LinkedHashMap<>();
            expect('{');
            while (!peek('}')) {
                Object key = value();
                if (!(key instanceof String name)) {
                    throw new IllegalArgumentException("a key that is not a string");
                }
                expect(':');
                if (dict.put(name, value()) != null) {
                    throw new IllegalArgumentException("key '" + name + "' given twice");
                }
                if (!peek('}')) {
                    expect(',');
                }
            }
            expect('}');
            skipSpace();
            if (at != text.length()) {
                throw new IllegalArgumentException("text after the dict");
            }
            return dict;
        }

        private Object value() {
            skipSpace();
            if (at == text.length()) {
                throw new IllegalArgumentException("the header ends early");
            }
            char c = text.charAt(at);
            if (c == '\'' || c == '"') {
                return string(c);
            }
            if (c == '(') {
                return tuple();
            }
            for (String word : List.of("True", "False")) {
                if (text.startsWith(word, at)) {
                    at += word.length();
                    return word.equals("True");
                }
            }
            throw new IllegalArgumentException("unexpected '" + c + "' at " + at);
        }

        private String string(char quote) {
            StringBuilder value = new StringBuilder();
            for (at++; at < text.length() && text.charAt(at) != quote; at++) {
                if (text.charAt(at) == '\\') {
                    throw new IllegalArgumentException("an escape in a string");
                }
                value.append(text.charAt(at));
            }
            expect(quote);
            return value.toString();
        }

        private long[] tuple() {
            expect('(');
            List<Long> items = new ArrayList<>();
            while (!peek(')')) {
                int from = at;
                while (at < text.length() && Character.isDigit(text.charAt(at))) {
                    at++;
                }
                if (from == at || at - from > 18) {
                    throw new IllegalArgumentException("a shape entry that is not a non-negative integer");
                }
                items.add(Long.parseLong(text.substring(from, at)));
                if (at < text.length() && text.charAt(at) == 'L') {
                    at++;
                }
                if (!peek(')')) {
                    expect(',');
                }
            }
            expect(')');
            return items.stream().mapToLong(Long::longValue).toArray();
        }

        private boolean peek(char c) {
            skipSpace();
            return at < text.length() && text.charAt(at) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw new IllegalArgumentException("expected '" + c + "' at " + at);
            }
            at++;
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static float readElement(ByteBuffer data, char kind, int size, String source) throws IOException {
        switch (kind + String.valueOf(size)) {
            case "f2": return halfToFloat(data.getShort());
            case "f4": return data.getFloat();
            case "i1": return data.get();
            case "u1": return Byte.toUnsignedInt(data.get());
            case "u2": return Short.toUnsignedInt(data.getShort());
            case "u4": return Integer.toUnsignedLong(data.getInt());
            case "u8": return unsignedLongToFloat(data.getLong());
            case "i2": return data.getShort();
            case "i4": return data.getInt();
            case "i8": return data.getLong();
            case "b1": return data.get() != 0 ? 1f : 0f;
            default:
                throw new MalformedFileException(source + ": unsupported element type " + kind + size
                        + "; expected float16/32/64 or integers");
        }
    }

    private static float unsignedLongToFloat(long value) {
        return value >= 0 ? value : (float) ((value >>> 1) * 2.0 + (value & 1));
    }

    /** IEEE 754 half precision to float: Java 17 has no Float.float16ToFloat. */
    static float halfToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
