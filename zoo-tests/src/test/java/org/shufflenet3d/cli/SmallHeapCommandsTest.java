package org.shufflenet3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.data.MovingShapeVideos;
import org.shufflenet3d.video.VideoWriter;

/**
 * The command line in a JVM of small heap: predict and evaluate a long video (its frames would take 410 MB), and
 * running out of memory reported in one line that says what needed it and how to give more.
 */
class SmallHeapCommandsTest {

    private static final int FRAMES = 800;
    private static final String[] CLIP = {"--frames", "8", "--size", "24"};

    @TempDir
    static Path dir;

    private static Path model;
    private static Path longVideo;

    @BeforeAll
    static void writeALongVideoAndAModel() throws IOException {
        longVideo = dir.resolve("videos/right/long.avi");
        VideoWriter.write(longVideo, FRAMES, MovingShapeVideos.frameSource(0, FRAMES, 480, 360, 1), 25);
        model = dir.resolve("model.sd");
        ShuffleNet3d.create(ShuffleNetConfig.v2(0.25, 1), new ClipShape(8, 24, 24)).save(model);
    }

    @Test
    void aLongVideoIsPredictedAndEvaluatedInASmallHeap() throws Exception {
        Output predicted = run("256m", concat(new String[] {"predict", longVideo.toString(), "--weights",
            model.toString()}, CLIP));
        assertEquals(0, predicted.exit(), predicted.text());
        // windows of 8 frames every 8 frames before the last one
        assertTrue(predicted.text().contains(longVideo + " (100 clips)  0 1.0000"), predicted.text());

        Output evaluated = run("256m", concat(new String[] {"evaluate", dir.resolve("videos").toString(),
            "--weights", model.toString()}, CLIP));
        assertEquals(0, evaluated.exit(), evaluated.text());
        assertTrue(evaluated.text().contains("clips: 100 from 1 videos"), evaluated.text());
    }

    @Test
    void runningOutOfMemoryIsOneLineThatSaysWhatNeededItAndHowToGiveMore() throws Exception {
        // 60 million float32 values (240 MB), honestly declared and deflated to a few hundred KB
        Path clips = dir.resolve("clips.npz");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(clips))) {
            zip.putNextEntry(new ZipEntry("input.npy"));
            writeZeroNpy(zip, "(1, 3, 20000, 1000, 1)", 60_000_000L * 4);
            zip.closeEntry();
        }

        Output output = run("64m", "logits", "--weights", model.toString(), "--input", clips.toString(), "--output",
                dir.resolve("logits.npy").toString());

        assertEquals(1, output.exit(), output.text());
        List<String> lines = output.text().lines().filter(line -> line.startsWith("shufflenet3d: ")).toList();
        assertEquals(1, lines.size(), output.text());
        assertTrue(lines.get(0).startsWith("shufflenet3d: out of memory while reading the clips of " + clips
                + ": the Java heap (at most "), lines.get(0));
        assertTrue(lines.get(0).contains("give more with -Xmx"), lines.get(0));
        assertTrue(!output.text().contains("\tat "), "no stack trace:\n" + output.text());
    }

    private static void writeZeroNpy(OutputStream out, String shape, long dataBytes) throws IOException {
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        out.write(ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).put(new byte[] {(byte) 0x93, 'N', 'U', 'M',
            'P', 'Y', 1, 0}).putShort((short) header.length()).array());
        out.write(header.toString().getBytes(StandardCharsets.US_ASCII));
        byte[] zeros = new byte[1 << 20];
        for (long written = 0; written < dataBytes; written += zeros.length) {
            out.write(zeros, 0, (int) Math.min(zeros.length, dataBytes - written));
        }
    }

    private record Output(int exit, String text) {
    }

    /** The command line run in a JVM of {@code heap} heap, its standard output and error together. */
    private static Output run(String heap, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap,
                "-Dorg.bytedeco.javacpp.maxbytes=1g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=0",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                ShuffleNet3dCommand.class.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "command", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("no answer in 10 minutes:\n" + Files.readString(log));
        }
        return new Output(process.exitValue(), Files.readString(log));
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
