package org.shufflenet3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.io.NumpyFiles;
import picocli.CommandLine;

/** The command-line tool end to end: reference parity through {@code logits}, and one-line errors. */
class CommandLineTest {

    private static final Path FIXTURES = Paths.get("src/test/resources/fixtures/parity");

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = ShuffleNet3dCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "v2_w0.25_full, shufflenetv2, 0, 0.25",
        "v1_g3_w0.25_full, shufflenet, 3, 0.25"})
    void logitsMatchTheReference(String name, String arch, int groups, String width) throws IOException {
        Map<String, INDArray> fixture = NumpyFiles.readNpz(FIXTURES.resolve(name + ".npz"));
        Path clip = dir.resolve("clip.npy");
        Path logits = dir.resolve("logits.npy");
        NumpyFiles.writeNpy(clip, fixture.get("input"));
        String[] network = groups == 0
                ? new String[] {"--arch", arch, "--width", width}
                : new String[] {"--arch", arch, "--groups", String.valueOf(groups), "--width", width};
        int exit = run(concat(new String[] {"logits"}, network, new String[] {"--classes", "5",
                "--weights", FIXTURES.resolve(name + ".weights.npz").toString(),
                "--input", clip.toString(), "--output", logits.toString()}));
        assertEquals(0, exit, err.toString());
        INDArray expected = fixture.get("logits");
        INDArray actual = NumpyFiles.readNpy(logits);
        assertArrayEquals(expected.shape(), actual.shape());
        double tolerance = 1e-4 * Math.max(1, expected.amaxNumber().doubleValue());
        assertTrue(expected.sub(actual).amaxNumber().doubleValue() <= tolerance);
    }

    @Test
    void summaryEndsWithTotals() {
        assertEquals(0, run("summary", "--arch", "shufflenetv2", "--width", "1.0", "--classes", "600"));
        String[] lines = out.toString().split("\n");
        assertEquals("params: 1914180", lines[lines.length - 2]);
        assertEquals("mflops: 194.92", lines[lines.length - 1]);
        assertTrue(out.toString().contains("features.15.banch2.5"));
    }

    @Test
    void summaryTakesNonSquareFramesAndV1Groups() {
        assertEquals(0, run("summary", "--arch", "shufflenet", "--groups", "8", "--width", "1.0", "--classes", "600",
                "--frames", "32", "--size", "128x171"));
        assertTrue(out.toString().contains("clip 3x32x128x171"), out.toString());
        assertTrue(out.toString().contains("params: 1883472"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown architecture | summary --arch resnet --width 1.0 --classes 5 | unknown architecture 'resnet'",
        "missing option | summary --arch shufflenet --classes 5 | --width",
        "invalid pair | summary --arch shufflenet --groups 4 --width 0.5 --classes 5 | use width 1.0, 2.0",
        "V2 width | summary --arch shufflenetv2 --width 0.75 --classes 5 | no width 0.75",
        "V1 frames | summary --arch shufflenet --width 1.0 --classes 5 --frames 12 | use 16",
        "bad size | summary --arch shufflenetv2 --width 1.0 --classes 5 --size big | expected S (e.g. 112) or HxW",
        "no classes | summary --arch shufflenetv2 --width 1.0 --classes 0 | at least 1",
        "unknown command | frobnicate | frobnicate"})
    void badArgumentsGiveOneLineAndNonZeroExit(String label, String args, String expected) {
        assertNotEquals(0, run(args.trim().split(" +")));
        assertOneLineError(expected);
    }

    @Test
    void missingWeightFileIsNamed() throws IOException {
        Path clip = writeClip(1, 3, 8, 16, 16);
        assertNotEquals(0, logits("shufflenetv2", dir.resolve("absent.npz"), clip));
        assertOneLineError("no such file: " + dir.resolve("absent.npz"));
    }

    @Test
    void inputOfTheWrongRankOrChannelsIsRefused() throws IOException {
        Path weights = FIXTURES.resolve("v2_w0.25_full.weights.npz");
        Path fourDimensional = dir.resolve("frame.npy");
        NumpyFiles.writeNpy(fourDimensional, Nd4j.zeros(DataType.FLOAT, 1, 3, 16, 16));
        assertNotEquals(0, logits("shufflenetv2", weights, fourDimensional));
        assertOneLineError("expected clips shaped N x 3 x D x H x W, got [1, 3, 16, 16]");

        Path gray = writeClip(1, 1, 8, 16, 16);
        err.getBuffer().setLength(0);
        assertNotEquals(0, logits("shufflenetv2", weights, gray));
        assertOneLineError("got [1, 1, 8, 16, 16]");
    }

    @Test
    void weightsOfAnotherNetworkAreRefused() throws IOException {
        Path clip = writeClip(1, 3, 16, 33, 33);
        assertNotEquals(0, logits("shufflenet", FIXTURES.resolve("v2_w0.25_full.weights.npz"), clip));
        assertOneLineError("weights do not fit shufflenet 0.25x g=3, 5 classes (they were made for shufflenetv2 0.25x,"
                + " 5 classes): missing");
    }

    @Test
    void aFileThatIsNotNumpyIsRefused() throws IOException {
        Path clip = dir.resolve("clip.npy");
        Files.writeString(clip, "not an array");
        assertNotEquals(0, logits("shufflenetv2", FIXTURES.resolve("v2_w0.25_full.weights.npz"), clip));
        assertOneLineError("not a NumPy .npy array");
    }

    private int logits(String arch, Path weights, Path clip) {
        return run("logits", "--arch", arch, "--width", "0.25", "--classes", "5", "--weights", weights.toString(),
                "--input", clip.toString(), "--output", dir.resolve("out.npy").toString());
    }

    private Path writeClip(long... shape) throws IOException {
        Path clip = dir.resolve("clip-" + shape[1] + "-" + shape[2] + ".npy");
        NumpyFiles.writeNpy(clip, Nd4j.rand(DataType.FLOAT, shape));
        return clip;
    }

    private void assertOneLineError(String expected) {
        String text = err.toString().strip();
        assertFalse(text.contains("\n"), "more than one line:\n" + text);
        assertTrue(text.startsWith("shufflenet3d: "), text);
        assertTrue(text.contains(expected), "expected '" + expected + "' in: " + text);
        assertFalse(Files.exists(dir.resolve("out.npy")), "no output on error");
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
