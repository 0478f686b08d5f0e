package org.shufflenet3d.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.data.MovingShapeVideos;
import org.shufflenet3d.io.NumpyFiles;
import org.shufflenet3d.video.VideoClips;
import picocli.CommandLine;

/** train, evaluate, predict, embed and the demo on real video files the test writes. */
class VideoCommandsTest {

    private static final String[] CLIP = {"--frames", "8", "--size", "24"};

    @TempDir
    static Path data;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private static Path model;

    @BeforeAll
    static void writeVideosAndTrain() throws IOException {
        MovingShapeVideos.write(data.resolve("train"), new MovingShapeVideos.Settings(2, 12, 40, 32, 25, "mkv", 1));
        MovingShapeVideos.write(data.resolve("val"), new MovingShapeVideos.Settings(1, 20, 40, 32, 25, "mp4", 2));
        Files.writeString(data.resolve("classes.txt"), "1 down\n2 left\n3 right\n4 up\n");
        VideoCommandsTest first = new VideoCommandsTest();
        int exit = first.run(concat(new String[] {"train", data.resolve("train").toString(), "--val",
            data.resolve("val").toString(), "--arch", "shufflenetv2", "--width", "0.25", "--epochs", "1",
            "--batch", "4", "--no-flip", "--lr", "0.01", "--output", data.resolve("model").toString()}, CLIP));
        assertEquals(0, exit, first.err.toString());
        assertTrue(first.out.toString().contains("training shufflenetv2 0.25x, 4 classes on 8 clips of 3x8x24x24,"
                + " validating on 4"), first.out.toString());
        assertTrue(first.out.toString().contains("confusion matrix"), first.out.toString());
        model = data.resolve("model.sd");
    }

    private int run(String... args) {
        CommandLine cli = ShuffleNet3dCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void evaluateScoresEveryClipOfEveryVideo() {
        assertEquals(0, run(concat(new String[] {"evaluate", data.resolve("val").toString(), "--weights",
            model.toString()}, CLIP)), err.toString());
        String report = out.toString();
        // 20-frame videos give 3 clips of 8 each
        assertTrue(report.contains("clips: 12 from 4 videos"), report);
        assertTrue(report.contains("video accuracy"), report);

        out.getBuffer().setLength(0);
        assertEquals(0, run(concat(new String[] {"evaluate", data.resolve("val").toString(), "--weights",
            model.toString(), "--clips", "center"}, CLIP)), err.toString());
        assertTrue(out.toString().contains("clips: 4 from 4 videos"), out.toString());
    }

    @Test
    void anAnnotationFileNamesTheVideosAndTheirClasses() throws IOException {
        Path annotations = data.resolve("val/annotations.json");
        Files.writeString(annotations, """
                {"labels": ["down", "left", "right", "up"],
                 "database": {"right-000": {"subset": "validation", "annotations": {"label": "right"}},
                              "up-000": {"subset": "validation", "annotations": {"label": "up"}}}}
                """);
        try {
            assertEquals(0, run(concat(new String[] {"evaluate", annotations.toString(), "--weights",
                model.toString()}, CLIP)), err.toString());
            assertTrue(out.toString().contains("clips: 6 from 2 videos"), out.toString());
        } finally {
            Files.delete(annotations);
        }
    }

    @Test
    void predictGivesTheTopLabelsOfOneVideo() {
        Path video = data.resolve("val/right/right-000.mp4");
        assertEquals(0, run(concat(new String[] {"predict", video.toString(), "--weights", model.toString(),
            "--labels", data.resolve("classes.txt").toString(), "--top", "2"}, CLIP)), err.toString());
        String line = out.toString().strip();
        assertTrue(line.matches(java.util.regex.Pattern.quote(video.toString())
                + " \\(3 clips\\)  (down|left|right|up) [01]\\.\\d{4}  (down|left|right|up) [01]\\.\\d{4}"), line);
    }

    @Test
    void predictOverAFolderWritesCsvAndJson() throws IOException {
        Path csv = dir.resolve("predictions.csv");
        assertEquals(0, run(concat(new String[] {"predict", data.resolve("val").toString(), "--weights",
            model.toString(), "--top", "3", "--output", csv.toString()}, CLIP)), err.toString());
        List<String> printed = out.toString().lines().toList();
        assertEquals(5, printed.size(), out.toString());
        assertTrue(printed.get(0).startsWith(data.resolve("val/down/down-000.mp4").toString()), printed.get(0));
        assertTrue(printed.get(4).startsWith("wrote " + csv), printed.get(4));
        List<String> rows = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertEquals("video,clips,rank,label,class,probability,error", rows.get(0));
        assertEquals(1 + 4 * 3, rows.size());
        assertTrue(rows.get(1).matches(".*down-000\\.mp4,3,1,[0-3],[0-3],[01]\\.\\d{6},"), rows.get(1));

        Path json = dir.resolve("predictions.json");
        assertEquals(0, run(concat(new String[] {"predict", data.resolve("val").toString(), "--weights",
            model.toString(), "--output", json.toString()}, CLIP)), err.toString());
        JsonNode predictions = new ObjectMapper().readTree(json.toFile());
        assertEquals(4, predictions.size());
        assertEquals(3, predictions.get(0).get("clips").asInt());
        assertEquals(4, predictions.get(0).get("top").size(), "--top 5 of 4 classes lists all 4");
        double total = 0;
        for (JsonNode ranked : predictions.get(0).get("top")) {
            total += ranked.get("probability").asDouble();
        }
        assertEquals(1.0, total, 1e-5);
    }

    @Test
    void embedWritesOneRowPerVideoInOrderAsNpyWithIds() throws IOException {
        Path npy = dir.resolve("embeddings.npy");
        assertEquals(0, run(concat(new String[] {"embed", data.resolve("val").toString(), "--weights",
            model.toString(), "--batch", "2", "--output", npy.toString()}, CLIP)), err.toString());
        List<String> ids = Files.readAllLines(dir.resolve("embeddings.ids.txt"), StandardCharsets.UTF_8);
        assertEquals(List.of("down/down-000.mp4", "left/left-000.mp4", "right/right-000.mp4", "up/up-000.mp4"),
                ids.stream().map(id -> data.resolve("val").relativize(Path.of(id)).toString()).toList());
        INDArray embeddings = NumpyFiles.readNpy(npy);
        ShuffleNet3d network = ShuffleNet3d.load(model);
        assertArrayEquals(new long[] {4, network.featureCount()}, embeddings.shape());
        VideoClips clips = new VideoClips(network.clipShape(), VideoClips.Preprocessing.DEFAULT);
        for (int v = 0; v < ids.size(); v++) {
            List<INDArray> features = new ArrayList<>();
            clips.forEachTestClip(Path.of(ids.get(v)), clip -> features.add(network.features(clip.reshape(
                    1, 3, 8, 24, 24))));
            assertEquals(3, features.size());
            INDArray mean = Nd4j.concat(0, features.toArray(INDArray[]::new)).mean(0);
            assertTrue(mean.equalsWithEps(embeddings.getRow(v), 1e-5), ids.get(v));
        }
        assertTrue(out.toString().contains("wrote the embeddings (" + network.featureCount() + " values each) of 4 of 4"
                + " videos to " + npy + " and " + dir.resolve("embeddings.ids.txt")), out.toString());
    }

    @Test
    void embedSkipsAnUnreadableVideoAndWritesCsvAndJson() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("mixed"));
        Files.copy(data.resolve("val/up/up-000.mp4"), folder.resolve("good.mp4"));
        Files.writeString(folder.resolve("bad.mp4"), "not a video");
        Path json = dir.resolve("embeddings.json");
        assertEquals(1, run(concat(new String[] {"embed", folder.toString(), "--weights", model.toString(), "--l2",
            "--output", json.toString()}, CLIP)));
        assertTrue(err.toString().contains("skipped: cannot decode " + folder.resolve("bad.mp4")), err.toString());
        JsonNode rows = new ObjectMapper().readTree(json.toFile());
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).get("error").asText().startsWith("cannot decode"), rows.toString());
        double squares = 0;
        for (JsonNode value : rows.get(1).get("embedding")) {
            squares += value.asDouble() * value.asDouble();
        }
        assertEquals(1.0, squares, 1e-5, "--l2 gives unit length");
        assertEquals(3, rows.get(1).get("clips").asInt());

        Path csv = dir.resolve("embeddings.csv");
        assertEquals(1, run(concat(new String[] {"embed", folder.toString(), "--weights", model.toString(),
            "--output", csv.toString()}, CLIP)));
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        int width = ShuffleNet3d.load(model).featureCount();
        assertEquals(3, lines.size());
        assertTrue(lines.get(0).startsWith("video,clips,f0,f1,") && lines.get(0).endsWith(",f" + (width - 1)
                + ",error"), lines.get(0));
        assertTrue(lines.get(1).startsWith(folder.resolve("bad.mp4") + "," + ",".repeat(width + 1) + "\"cannot decode"),
                lines.get(1));
        assertEquals(width + 3, lines.get(2).split(",", -1).length, lines.get(2));

        err.getBuffer().setLength(0);
        assertNotEquals(0, run(concat(new String[] {"embed", folder.toString(), "--weights", model.toString(),
            "--output", dir.resolve("e.txt").toString()}, CLIP)));
        assertOneLine("expected a name ending in .npy, .csv or .json");
    }

    @Test
    void embedKeepsIdsAndRowsTogetherAndASingleBadVideoReplacesNothing() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("skips"));
        Files.copy(data.resolve("val/up/up-000.mp4"), folder.resolve("a.mp4"));
        Files.writeString(folder.resolve("b.mp4"), "not a video");
        Files.copy(data.resolve("val/left/left-000.mp4"), folder.resolve("c.mp4"));
        Path npy = dir.resolve("e.npy");
        Path ids = dir.resolve("e.ids.txt");
        assertEquals(1, run(concat(new String[] {"embed", folder.toString(), "--weights", model.toString(),
            "--output", npy.toString()}, CLIP)));
        assertEquals(List.of(folder.resolve("a.mp4").toString(), folder.resolve("c.mp4").toString()),
                Files.readAllLines(ids, StandardCharsets.UTF_8));
        assertEquals(2, NumpyFiles.readNpy(npy).rows());
        assertTrue(err.toString().lines().anyMatch(line -> line.startsWith("shufflenet3d: skipped: cannot decode "
                + folder.resolve("b.mp4"))), "the skip message on a line of its own:\n" + err);

        byte[] npyBefore = Files.readAllBytes(npy);
        byte[] idsBefore = Files.readAllBytes(ids);
        assertNotEquals(0, run(concat(new String[] {"embed", folder.resolve("b.mp4").toString(), "--weights",
            model.toString(), "--output", npy.toString()}, CLIP)));
        assertArrayEquals(npyBefore, Files.readAllBytes(npy), "a failed run leaves the earlier results");
        assertArrayEquals(idsBefore, Files.readAllBytes(ids));

        Path csv = Files.writeString(dir.resolve("p.csv"), "earlier results\n");
        assertNotEquals(0, run(concat(new String[] {"predict", folder.resolve("b.mp4").toString(), "--weights",
            model.toString(), "--output", csv.toString()}, CLIP)));
        assertEquals("earlier results\n", Files.readString(csv));
    }

    @Test
    void badVideosAndOptionsGiveOneLine() throws IOException {
        Path notAVideo = Files.writeString(dir.resolve("notes.mp4"), "text");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path twoNames = Files.writeString(dir.resolve("two.txt"), "a\nb\n");
        String weights = model.toString();
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {dir.resolve("missing.mp4").toString(), "missing.mp4 does not exist"});
        cases.add(new String[] {notAVideo.toString(), "cannot decode " + notAVideo});
        cases.add(new String[] {empty.toString(), "holds no videos; expected video files"});
        for (String[] c : cases) {
            err.getBuffer().setLength(0);
            assertNotEquals(0, run(concat(new String[] {"predict", c[0], "--weights", weights}, CLIP)));
            assertOneLine(c[1]);
        }
        String video = data.resolve("val/up/up-000.mp4").toString();
        String[][] options = {
            {"--labels", twoNames.toString(), "names 2 classes but the model has 4"},
            {"--output", dir.resolve("p.txt").toString(), "expected a name ending in .csv or .json"},
            {"--top", "0", "--top must be at least 1"}};
        for (String[] option : options) {
            err.getBuffer().setLength(0);
            assertNotEquals(0, run(concat(new String[] {"predict", video, "--weights", weights, option[0], option[1]},
                CLIP)));
            assertOneLine(option[2]);
        }
        assertFalse(Files.exists(dir.resolve("p.txt")));
    }

    @Test
    void aFolderWithOneUnreadableVideoReportsItAndTheRestAndWritesBoth() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("mixed"));
        Files.copy(data.resolve("val/up/up-000.mp4"), folder.resolve("good.mp4"));
        Files.writeString(folder.resolve("bad.mp4"), "not a video");
        Path csv = dir.resolve("predictions.csv");
        assertEquals(1, run(concat(new String[] {"predict", folder.toString(), "--weights", model.toString(),
            "--top", "1", "--output", csv.toString()}, CLIP)));
        assertTrue(out.toString().startsWith(folder.resolve("good.mp4").toString()), out.toString());
        assertTrue(err.toString().contains("skipped: cannot decode " + folder.resolve("bad.mp4")), err.toString());
        assertTrue(err.toString().contains("1 of 2 videos could not be read"), err.toString());

        List<String> rows = Files.readAllLines(csv, StandardCharsets.UTF_8);
        assertEquals(3, rows.size(), rows.toString());
        Path bad = folder.resolve("bad.mp4");
        assertTrue(rows.get(1).startsWith(bad + ",,,,,,\"cannot decode " + bad), rows.get(1));
        assertTrue(rows.get(2).matches(".*good\\.mp4,3,1,[0-3],[a-z0-9]+,[01]\\.\\d{6},"), rows.get(2));
    }

    @Test
    void aFolderIsWalkedOnceWhateverItsLinks() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("linked"));
        Files.copy(data.resolve("val/up/up-000.mp4"), folder.resolve("top.mp4"));
        Path x = Files.createDirectories(folder.resolve("x"));
        Path y = Files.createDirectories(folder.resolve("y"));
        Files.copy(data.resolve("val/down/down-000.mp4"), x.resolve("deep.mp4"));
        Files.createSymbolicLink(x.resolve("to-y"), Path.of("../y"));
        Files.createSymbolicLink(y.resolve("to-x"), Path.of("../x"));
        Files.createSymbolicLink(folder.resolve("self"), Path.of("."));
        Files.createSymbolicLink(x.resolve("up"), Path.of(".."));
        Files.createSymbolicLink(folder.resolve("z-link.mp4"), Path.of("top.mp4"));

        assertTimeoutPreemptively(java.time.Duration.ofMinutes(2), () -> assertEquals(0,
                run(concat(new String[] {"predict", folder.toString(), "--weights", model.toString()}, CLIP)),
                err.toString()));

        List<String> printed = out.toString().lines().toList();
        assertEquals(2, printed.size(), out.toString());
        assertTrue(printed.get(0).startsWith(folder.resolve("top.mp4") + " "), printed.get(0));
        assertTrue(printed.get(1).startsWith(x.resolve("deep.mp4") + " "), printed.get(1));
    }

    @Test
    void outputsAreCheckedBeforeAnyWork() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("taken.csv"));
        String video = data.resolve("val/up/up-000.mp4").toString();
        assertNotEquals(0, run(concat(new String[] {"predict", video, "--weights", model.toString(), "--output",
            folder.toString()}, CLIP)));
        assertOneLine(folder + ": is a folder, not a regular file");
        assertEquals("", out.toString());
        assertTrue(Files.isDirectory(folder));

        Path real = Files.writeString(Files.createDirectories(dir.resolve("results")).resolve("real.json"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), Path.of("results/real.json"));
        assertEquals(0, run(concat(new String[] {"predict", video, "--weights", model.toString(), "--output",
            link.toString()}, CLIP)), err.toString());
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Files.readString(real).contains("\"video\""), Files.readString(real));
    }

    @Test
    void aScalingRequestFFmpegCannotMeetIsRefusedInOneLine() {
        String video = data.resolve("val/up/up-000.mp4").toString();
        for (String pixels : List.of("20000", "100000", "-1")) {
            err.getBuffer().setLength(0);
            assertNotEquals(0, run(concat(new String[] {"predict", video, "--weights", model.toString(),
                "--decode-short-side", pixels}, CLIP)));
            assertOneLine("expected a short side from 1 to 4096");
        }
        // 40x32 frames at a short side of 4000 would be 5000 pixels wide
        err.getBuffer().setLength(0);
        assertNotEquals(0, run(concat(new String[] {"predict", video, "--weights", model.toString(),
            "--decode-short-side", "4000"}, CLIP)));
        assertOneLine("their long side would be 5000 pixels");
    }

    @Test
    void theDemoRunsEndToEnd() {
        Path output = dir.resolve("demo");
        assertEquals(0, run("demo", "--output", output.toString(), "--train-videos", "1", "--val-videos", "1",
                "--epochs", "1", "--size", "32"), err.toString());
        String text = out.toString();
        for (String step : List.of("1. writing 4 training and 4 validation videos", "2. training shufflenetv2 0.25x",
                "epoch 1: loss", "3. evaluating", "confusion matrix", "4. saved", "5. ", "classified by the saved model",
                "predict " + output.resolve("videos/val"))) {
            assertTrue(text.contains(step), "missing '" + step + "' in:\n" + text);
        }
        assertTrue(Files.exists(output.resolve("model.sd")));
        assertTrue(Files.exists(output.resolve("model.npz")));
        assertTrue(Files.exists(output.resolve("checkpoints/epoch-001.ckpt")));
        assertEquals(4, output.resolve("videos/train").toFile().list().length);
    }

    private void assertOneLine(String expected) {
        String text = err.toString().strip();
        assertFalse(text.contains("\n"), "more than one line:\n" + text);
        assertTrue(text.startsWith("shufflenet3d: "), text);
        assertTrue(text.contains(expected), "expected '" + expected + "' in: " + text);
    }

    private static String[] concat(String[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
    }
}
