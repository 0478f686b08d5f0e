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
        assertClose(fixture.get("logits"), NumpyFiles.readNpy(logits));
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
        "missing option | summary --arch shufflenet --classes 5 | --arch, --width and --classes are required",
        "missing weights | logits --arch shufflenet --width 1.0 --classes 5 --input a.npy --output b.npy | --weights",
        "invalid pair | summary --arch shufflenet --groups 4 --width 0.5 --classes 5 | use width 1.0, 2.0",
        "V2 width | summary --arch shufflenetv2 --width 0.75 --classes 5 | no width 0.75",
        "V1 frames | summary --arch shufflenet --width 1.0 --classes 5 --frames 12 | use 16",
        "bad size | summary --arch shufflenetv2 --width 1.0 --classes 5 --size big | expected S (e.g. 112) or HxW",
        "half a size | summary --arch shufflenetv2 --width 1.0 --classes 5 --size 10x | invalid --size '10x'",
        "other half | summary --arch shufflenetv2 --width 1.0 --classes 5 --size x10 | invalid --size 'x10'",
        "huge size | summary --arch shufflenetv2 --width 1.0 --classes 5 --size 99999999999 | invalid --size",
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

    @Test
    void logitsFromAReferenceCheckpointReadTheConfigurationFromIt() throws IOException {
        Map<String, INDArray> fixture = NumpyFiles.readNpz(FIXTURES.resolve("v2_w0.25_full.npz"));
        Path clip = dir.resolve("clip.npy");
        NumpyFiles.writeNpy(clip, fixture.get("input"));
        Path logits = dir.resolve("logits.npy");
        assertEquals(0, run("logits", "--weights", FIXTURES.resolve("v2_w0.25_full.reference.pth").toString(),
                "--input", clip.toString(), "--output", logits.toString()), err.toString());
        assertClose(fixture.get("logits"), NumpyFiles.readNpy(logits));
    }

    @Test
    void convertWritesAModelThatGivesTheSameLogits() throws IOException {
        Path checkpoint = FIXTURES.resolve("v1_g3_w0.25_full.reference.pth");
        Map<String, INDArray> fixture = NumpyFiles.readNpz(FIXTURES.resolve("v1_g3_w0.25_full.npz"));
        Path clip = dir.resolve("clip.npz");
        NumpyFiles.writeNpz(clip, Map.of("input", fixture.get("input")));
        assertEquals(0, run("convert", "--weights", checkpoint.toString(), "--frames", "16", "--size", "34x33",
                "--output", dir.resolve("v1").toString()), err.toString());
        assertTrue(out.toString().contains("shufflenet 0.25x g=3, 5 classes"), out.toString());
        Path fromCheckpoint = dir.resolve("a.npy");
        Path fromModel = dir.resolve("b.npy");
        Path fromNpz = dir.resolve("c.npy");
        assertEquals(0, run("logits", "--weights", checkpoint.toString(), "--input", clip.toString(),
                "--output", fromCheckpoint.toString()), err.toString());
        assertEquals(0, run("logits", "--weights", dir.resolve("v1.sd").toString(), "--input", clip.toString(),
                "--output", fromModel.toString()), err.toString());
        assertEquals(0, run("logits", "--weights", dir.resolve("v1.npz").toString(), "--input", clip.toString(),
                "--output", fromNpz.toString()), err.toString());
        assertEquals(NumpyFiles.readNpy(fromCheckpoint), NumpyFiles.readNpy(fromModel));
        assertEquals(NumpyFiles.readNpy(fromCheckpoint), NumpyFiles.readNpy(fromNpz));
        assertClose(fixture.get("logits"), NumpyFiles.readNpy(fromCheckpoint));
    }

    @Test
    void summaryDescribesACheckpoint() {
        assertEquals(0, run("summary", "--weights", FIXTURES.resolve("v2_w0.25_full.reference.pth").toString()));
        assertTrue(out.toString().startsWith("weights: " + FIXTURES.resolve("v2_w0.25_full.reference.pth")
                + ": shufflenetv2 0.25x, 5 classes (arch shufflenetv2)"), out.toString());
        assertTrue(out.toString().contains("params: 219781"), out.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "other architecture | --arch shufflenet | holds a shufflenetv2 checkpoint",
        "other width | --width 0.5 | weights do not fit shufflenetv2 0.5x, 5 classes (they were made for shufflenetv2"
            + " 0.25x, 5 classes)",
        "other class count | --classes 7 | mis-shaped (2): classifier.1.bias [5] where the network has [7]"})
    void checkpointOfAnotherConfigurationIsRefused(String label, String option, String expected) throws IOException {
        Path clip = writeClip(1, 3, 16, 33, 33);
        String[] given = option.trim().split(" ");
        assertNotEquals(0, run(concat(new String[] {"logits", "--weights",
            FIXTURES.resolve("v2_w0.25_full.reference.pth").toString(), "--input", clip.toString(),
            "--output", dir.resolve("out.npy").toString()}, given)));
        assertOneLineError(expected);
    }

    @Test
    void truncatedCheckpointIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(FIXTURES.resolve("v2_w0.25_full.reference.pth"));
        Path truncated = dir.resolve("truncated.pth");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertNotEquals(0, logitsInferred(truncated, writeClip(1, 3, 8, 16, 16)));
        assertOneLineError(truncated.toString());
    }

    @Test
    void zipThatIsNotACheckpointIsRefused() throws IOException {
        Path zip = dir.resolve("notes.pth");
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("notes.txt"));
            out.write("not weights".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        assertNotEquals(0, logitsInferred(zip, writeClip(1, 3, 8, 16, 16)));
        assertOneLineError("notes.txt");
    }

    @Test
    void pickleNamingAForbiddenGlobalIsRefusedAndNotRun() throws IOException {
        Path marker = dir.resolve("ran");
        byte[] command = ("touch " + marker).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream pickle = new java.io.ByteArrayOutputStream();
        pickle.writeBytes(new byte[] {(byte) 0x80, 2});
        pickle.writeBytes("cposix\nsystem\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        pickle.write('X');
        pickle.writeBytes(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putInt(command.length).array());
        pickle.writeBytes(command);
        pickle.writeBytes(new byte[] {(byte) 0x85, 'R', '.'});
        Path evil = dir.resolve("evil.pth");
        Files.write(evil, pickle.toByteArray());
        assertNotEquals(0, logitsInferred(evil, writeClip(1, 3, 8, 16, 16)));
        assertOneLineError("posix.system");
        assertFalse(Files.exists(marker));
    }

    @Test
    void clipOfALengthV1CannotTakeIsRefused() throws IOException {
        Path clip = writeClip(1, 3, 12, 33, 33);
        assertNotEquals(0, logitsInferred(FIXTURES.resolve("v1_g3_w0.25_full.reference.pth"), clip));
        assertOneLineError("got 12 frames: use 16");
    }

    @Test
    void trainThenEvaluateTheSavedModel() throws IOException {
        String[] data = {"--frames", "8", "--size", "16", "--train-clips", "8", "--val-clips", "4", "--batch", "4"};
        java.io.PrintStream standardOutput = System.out;
        java.io.ByteArrayOutputStream stray = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(stray, true));
        try {
            assertEquals(0, run(concat(new String[] {"train", "--arch", "shufflenetv2", "--width", "0.25", "--epochs",
                "1", "--lr", "0.01", "--checkpoints", dir.resolve("ckpt").toString(), "--output",
                dir.resolve("motion").toString()}, data)), err.toString());
        } finally {
            System.setOut(standardOutput);
        }
        assertFalse(stray.toString().contains("differentiated"), "the graph's differentiation printed its ops");
        assertTrue(out.toString().contains("epoch 1: loss"), out.toString());
        assertTrue(out.toString().contains("confusion matrix"), out.toString());
        assertTrue(Files.exists(dir.resolve("ckpt/epoch-001.ckpt")));
        assertTrue(err.toString().contains("epoch 1/1 ["), "no progress bar: " + err);
        out.getBuffer().setLength(0);
        assertEquals(0, run(concat(new String[] {"evaluate", "--weights", dir.resolve("motion.sd").toString()}, data)),
                err.toString());
        assertTrue(out.toString().contains("top-1 accuracy"), out.toString());
    }

    @Test
    void benchmarkReportsLatencyThroughputAndMemory() {
        assertEquals(0, run("benchmark", "--arch", "shufflenetv2", "--width", "0.25", "--classes", "5", "--batch", "2",
                "--frames", "8", "--size", "16", "--runs", "2", "--warmup", "1", "--train", "--profile", "3"),
                err.toString());
        String text = out.toString();
        assertTrue(text.matches("(?s).*clips/s: [0-9.]+\n.*"), text);
        assertTrue(text.contains("training step: median"), text);
        assertTrue(text.matches("(?s).*peak memory: resident [0-9]+ MB, heap [0-9]+ MB.*"), text);
        String profileRow = "\n  [a-z0-9_]+ +[0-9.]+ +[0-9]+";
        assertTrue(text.matches("(?s).*batch 2 eval-mode forward, per run: op, ms, calls" + profileRow.repeat(3)
                + "\n.*"), text);
        assertTrue(text.matches("(?s).*batch 2 training step, per run: op, ms, calls" + profileRow.repeat(3) + "\n.*"),
                text);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "fine-tune | --fine-tune all | unknown --fine-tune 'all'",
        "schedule | --schedule cosine | invalid --schedule 'cosine'",
        "optimizer | --optimizer rmsprop | unknown --optimizer 'rmsprop'",
        "nesterov | --nesterov | Nesterov momentum requires a momentum and zero dampening",
        "data | no-such-dataset | DATASET no-such-dataset does not exist; expected a folder of class folders",
        "mean | --mean imagenet | unknown --mean 'imagenet': expected one of [activitynet, kinetics, none]",
        "crop | --train-crop middle | unknown --train-crop 'middle': expected one of [random, corner, center, none]",
        "decoding | --decode-short-side 20000 | expected a short side from 1 to 4096",
        "output | --output /proc/motion | /proc/motion.sd: cannot write in /proc",
        "checkpoints | --checkpoints /proc/ckpt | cannot write in /proc"})
    void badTrainingOptionsGiveOneLine(String label, String option, String expected) {
        assertNotEquals(0, run(concat(new String[] {"train", "--arch", "shufflenetv2", "--width", "0.25", "--frames",
            "8", "--size", "16", "--train-clips", "4", "--val-clips", "4"}, option.trim().split(" "))));
        assertOneLineError(expected);
    }

    private int logitsInferred(Path weights, Path clip) {
        return run("logits", "--weights", weights.toString(), "--input", clip.toString(),
                "--output", dir.resolve("out.npy").toString());
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        double tolerance = 1e-4 * Math.max(1, expected.amaxNumber().doubleValue());
        assertTrue(expected.sub(actual).amaxNumber().doubleValue() <= tolerance);
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
