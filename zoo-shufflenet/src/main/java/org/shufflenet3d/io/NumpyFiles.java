package org.shufflenet3d.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy's {@code .npy} and {@code .npz} files as float32 arrays. Reads any byte order, C or Fortran order,
 * float16/32/64 and integer types (converted to float32), and compressed or plain archives; writes float32 C-order
 * little-endian, through a temporary file renamed into place.
 */
public final class NumpyFiles {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final String EXPECTED = "a NumPy .npy array of numbers";

    private NumpyFiles() {
    }

    public static INDArray readNpy(Path file) throws IOException {
        return parseNpy(readAll(file), file.toString());
    }

    /** The arrays of an .npz archive by name (without the {@code .npy} suffix), in archive order. */
    public static Map<String, INDArray> readNpz(Path file) throws IOException {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(requireFile(file)))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                String name = entry.getName();
                if (!name.endsWith(".npy")) {
                    throw new MalformedFileException(file + ": entry '" + name
                            + "' is not an array; expected an .npz archive of .npy arrays");
                }
                String key = name.substring(0, name.length() - 4);
                arrays.put(key, parseNpy(zip.readAllBytes(), file + ":" + name));
            }
        } catch (ZipException | java.io.EOFException e) {
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
        String shape = Arrays.toString(values.shape()).replace('[', '(').replace(']', ')');
        if (values.rank() == 1) {
            shape = shape.replace(")", ",)");
        }
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }");
        while ((MAGIC.length + 4 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        float[] data = values.data().asFloat();
        ByteBuffer buffer = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + 4 * data.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buffer.put(header.toString().getBytes(StandardCharsets.US_ASCII));
        buffer.asFloatBuffer().put(data);
        return buffer.array();
    }

    /** An .npy file's array, from its bytes; {@code source} names it in errors. */
    public static INDArray parseNpy(byte[] bytes, String source) throws IOException {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC)) {
            throw new MalformedFileException(source + ": not " + EXPECTED + " (missing the \\x93NUMPY magic)");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6];
        int lengthBytes = major == 1 ? 2 : 4;
        if (major < 1 || major > 3 || bytes.length < 8 + lengthBytes) {
            throw new MalformedFileException(source + ": truncated or unsupported .npy header (format version "
                    + major + ")");
        }
        in.position(8);
        long headerLength = major == 1 ? Short.toUnsignedInt(in.getShort()) : Integer.toUnsignedLong(in.getInt());
        if (in.position() + headerLength > bytes.length) {
            throw new MalformedFileException(source + ": truncated or unsupported .npy header (format version "
                    + major + ")");
        }
        String header = new String(bytes, in.position(), (int) headerLength, StandardCharsets.ISO_8859_1);
        int dataStart = in.position() + (int) headerLength;
        Matcher descr = DESCR.matcher(header);
        Matcher fortran = FORTRAN.matcher(header);
        Matcher shapeMatch = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeMatch.find()) {
            throw new MalformedFileException(source + ": unreadable .npy header " + header.trim());
        }
        long[] shape = parseShape(shapeMatch.group(1), source);
        ByteOrder order = descr.group(1).equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        char kind = descr.group(2).charAt(0);
        int size = Integer.parseInt(descr.group(3));
        long count = 1;
        for (long s : shape) {
            count = Math.multiplyExact(count, s);
        }
        if (count > Integer.MAX_VALUE / 8) {
            throw new MalformedFileException(source + ": array of " + count + " elements is too large");
        }
        long needed = count * size;
        if (bytes.length - dataStart < needed) {
            throw new MalformedFileException(source + ": truncated: shape " + Arrays.toString(shape) + " of "
                    + kind + size + " needs " + needed + " data bytes, the file has " + (bytes.length - dataStart));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, dataStart, (int) needed).slice().order(order);
        char layout = fortran.group(1).equals("True") ? 'f' : 'c';
        if (kind == 'f' && size == 8) {
            double[] values = new double[(int) count];
            data.asDoubleBuffer().get(values);
            return shape.length == 0 ? Nd4j.scalar(values[0]) : Nd4j.create(values, shape, layout).dup('c');
        }
        float[] values = new float[(int) count];
        for (int i = 0; i < values.length; i++) {
            values[i] = readElement(data, kind, size, source);
        }
        if (shape.length == 0) {
            return Nd4j.scalar(values[0]);
        }
        return Nd4j.create(values, shape, layout).dup('c');
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

    private static long[] parseShape(String text, String source) throws IOException {
        String[] parts = text.split(",");
        long[] shape = Arrays.stream(parts).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(s -> {
                    try {
                        return Long.parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }).toArray();
        for (long s : shape) {
            if (s < 0) {
                throw new MalformedFileException(source + ": invalid shape (" + text + ") in .npy header");
            }
        }
        return shape;
    }

    private static byte[] readAll(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(requireFile(file))) {
            return in.readAllBytes();
        }
    }

    /** The file, or a NoSuchFileException naming it when it is not a regular file. */
    public static Path requireFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        return file;
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
