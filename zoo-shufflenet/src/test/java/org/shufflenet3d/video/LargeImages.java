package org.shufflenet3d.video;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/** Greyscale PNG files of any size written without holding their pixels: a few KB for millions of pixels. */
public final class LargeImages {

    private LargeImages() {
    }

    /** A black PNG of {@code width} x {@code height}, its rows deflated one by one. */
    public static void writeBlackPng(Path file, int width, int height) throws IOException {
        ByteArrayOutputStream pixels = new ByteArrayOutputStream();
        try (DeflaterOutputStream deflated = new DeflaterOutputStream(pixels)) {
            byte[] row = new byte[1 + width];
            for (int y = 0; y < height; y++) {
                deflated.write(row);
            }
        }
        writePng(file, width, height, pixels.toByteArray());
    }

    /** A PNG that claims {@code width} x {@code height} pixels but holds no pixel data. */
    public static void writeEmptyPng(Path file, int width, int height) throws IOException {
        writePng(file, width, height, new byte[0]);
    }

    private static void writePng(Path file, int width, int height, byte[] deflatedRows) throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream fields = new DataOutputStream(header);
        fields.writeInt(width);
        fields.writeInt(height);
        fields.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit greyscale, deflate, no interlace
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            writeChunk(out, "IHDR", header.toByteArray());
            writeChunk(out, "IDAT", deflatedRows);
            writeChunk(out, "IEND", new byte[0]);
        }
    }

    private static void writeChunk(OutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream chunk = new DataOutputStream(out);
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        chunk.writeInt(data.length);
        chunk.write(name);
        chunk.write(data);
        chunk.writeInt((int) crc.getValue());
    }
}
