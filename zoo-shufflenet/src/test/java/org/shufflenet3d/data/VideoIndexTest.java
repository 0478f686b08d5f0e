package org.shufflenet3d.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class VideoIndexTest {

    @TempDir
    Path root;

    private Path video(String relative) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "video bytes are not read while indexing");
    }

    private Path frameFolder(String relative) throws IOException {
        Path folder = Files.createDirectories(root.resolve(relative));
        Files.writeString(folder.resolve("image_00001.jpg"), "frame");
        return folder;
    }

    @Test
    void classFoldersAreSortedByNameAndHoldFilesAndFrameFolders() throws IOException {
        video("walk/b.mp4");
        video("walk/a.avi");
        frameFolder("jump/v_jump_g01_c01");
        video("jump/notes.txt");
        Files.createDirectories(root.resolve("jump/not-a-video"));

        VideoIndex index = VideoIndex.classFolders(root, null);

        assertEquals(List.of("jump", "walk"), index.classNames());
        assertEquals(List.of("jump/v_jump_g01_c01", "walk/a.avi", "walk/b.mp4"),
                index.videos().stream().map(VideoIndex.Video::name).toList());
        assertEquals(List.of(0, 1, 1), index.videos().stream().map(VideoIndex.Video::label).toList());
        assertArrayEquals(new int[] {1, 2}, index.videosPerClass());
    }

    @Test
    void aClassIndexSetsTheLabelOrder() throws IOException {
        video("walk/a.mp4");
        video("jump/b.mp4");
        Path classes = Files.writeString(root.resolve("classInd.txt"), "1 walk\n2 jump\n3 run\n");

        VideoIndex index = VideoIndex.classFolders(root, classes);

        assertEquals(List.of("walk", "jump", "run"), index.classNames());
        assertEquals(List.of("jump/b.mp4", "walk/a.mp4"), index.videos().stream().map(VideoIndex.Video::name).toList());
        assertEquals(List.of(1, 0), index.videos().stream().map(VideoIndex.Video::label).toList());

        Files.writeString(classes, "1 walk\n");
        assertMessage(() -> VideoIndex.classFolders(root, classes),
                "class folder " + root.resolve("jump") + " is not listed in " + classes);
    }

    @Test
    void classIndexFilesAreNumberedOrPlain() throws IOException {
        assertEquals(List.of("ApplyEyeMakeup", "Apply Lipstick"), VideoIndex.readClassIndex(
                Files.writeString(root.resolve("numbered.txt"), "1 ApplyEyeMakeup\r\n2 Apply Lipstick\n\n")));
        assertEquals(List.of("Swiping Left", "Swiping Right"), VideoIndex.readClassIndex(
                Files.writeString(root.resolve("plain.txt"), "Swiping Left\nSwiping Right\n")));
        assertMessage(() -> VideoIndex.readClassIndex(Files.writeString(root.resolve("gap.txt"), "1 a\n3 b\n")),
                "should be numbered 2");
        assertMessage(() -> VideoIndex.readClassIndex(Files.writeString(root.resolve("empty.txt"), "\n")),
                "lists no classes");
        assertMessage(() -> VideoIndex.readClassIndex(Files.writeString(root.resolve("twice.txt"), "a\nb\na\n")),
                "class 'a' is listed twice");
        assertMessage(() -> VideoIndex.readClassIndex(root.resolve("missing.txt")), "cannot read class index");
    }

    @Test
    void classIndexFilesAreReadAsUtf8TextOrRefused() throws Exception {
        assertEquals(List.of("right", "left"), VideoIndex.readClassIndex(Files.write(root.resolve("bom.txt"),
                "\uFEFF1 right\n2 left\n".getBytes(StandardCharsets.UTF_8))));
        assertEquals(List.of("a", "b"), VideoIndex.readClassIndex(Files.writeString(root.resolve("zeros.txt"),
                "01 a\n002 b\n")));
        assertMessage(() -> VideoIndex.readClassIndex(Files.write(root.resolve("binary.txt"),
                new byte[] {(byte) 0x80, 0x1f, (byte) 0xff, 0})), "not UTF-8 text");
        assertMessage(() -> VideoIndex.readClassIndex(Files.writeString(root.resolve("big.txt"),
                "99999999999 a\n")), "line '99999999999 a' should be numbered 1");
        assertMessage(() -> VideoIndex.readClassIndex(Files.createDirectories(root.resolve("folder.txt"))),
                "not a regular file");
        Path fifo = root.resolve("fifo.txt");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0,
                "mkfifo makes a named pipe");
        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertMessage(() -> VideoIndex.readClassIndex(fifo), "not a regular file"));
    }

    @Test
    void annotationNamesStayInsideTheVideoRoot() throws IOException {
        Path videos = Files.createDirectories(root.resolve("videos"));
        video("secret.mp4");
        for (String key : List.of("../secret", "/etc/passwd", "a/../../secret", "")) {
            Path annotations = Files.writeString(root.resolve("escape.json"), "{\"labels\": [\"a\"], \"database\": {"
                    + new ObjectMapper().writeValueAsString(key) + ": {\"subset\": \"training\","
                    + " \"annotations\": {\"label\": \"a\"}}}}");
            assertMessage(() -> VideoIndex.activityNet(annotations, videos, "training"),
                    "is not a name inside the video root");
        }
        Path escapingClass = Files.writeString(root.resolve("class.json"), "{\"labels\": [\"..\"], \"database\":"
                + " {\"secret\": {\"subset\": \"training\", \"annotations\": {\"label\": \"..\"}}}}");
        assertMessage(() -> VideoIndex.activityNet(escapingClass, videos, "training"),
                "class name '..' is not a name inside the video root");
    }

    @Test
    void malformedAnnotationEntriesAreNamedNotDropped() throws IOException {
        video("a/v1.mp4");
        for (String entry : List.of("\"v2\": [1, 2]", "\"v2\": {\"annotations\": {\"label\": \"a\"}}",
                "\"v2\": {\"subset\": 3, \"annotations\": {\"label\": \"a\"}}")) {
            Path annotations = Files.writeString(root.resolve("malformed.json"), "{\"labels\": [\"a\"], \"database\":"
                    + " {\"v1\": {\"subset\": \"training\", \"annotations\": {\"label\": \"a\"}}, " + entry + "}}");
            assertMessage(() -> VideoIndex.activityNet(annotations, root, "training"), "video v2 of " + annotations);
        }
        Path numberLabel = Files.writeString(root.resolve("number.json"), "{\"labels\": [\"a\"], \"database\":"
                + " {\"v1\": {\"subset\": \"training\", \"annotations\": {\"label\": 0}}}}");
        assertMessage(() -> VideoIndex.activityNet(numberLabel, root, "training"), "has no annotations.label");
    }

    @Test
    void emptyOrMissingDatasetsAreRefusedWithTheExpectedLayout() throws IOException {
        assertMessage(() -> VideoIndex.classFolders(root.resolve("missing"), null), "does not exist");
        Files.createDirectories(root.resolve("walk"));
        assertMessage(() -> VideoIndex.classFolders(root, null), "holds no videos; expected");
    }

    @Test
    void activityNetAnnotationsFindUcfKineticsAndJesterLayouts() throws IOException {
        frameFolder("ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01");
        video("Archery/v_Archery_g01_c01.avi");
        frameFolder("12345");
        Path annotations = Files.writeString(root.resolve("ucf101_01.json"), """
                {"labels": ["ApplyEyeMakeup", "Archery", "Swiping Left"],
                 "database": {
                   "v_ApplyEyeMakeup_g08_c01": {"subset": "training", "annotations": {"label": "ApplyEyeMakeup"}},
                   "v_Archery_g01_c01": {"subset": "training", "annotations": {"label": "Archery",
                                         "segment": [0, 120]}},
                   "12345": {"subset": "training", "annotations": {"label": "Swiping Left"}},
                   "v_Archery_g02_c01": {"subset": "validation", "annotations": {"label": "Archery"}},
                   "test-video": {"subset": "testing", "annotations": {}}
                 }}
                """);

        VideoIndex index = VideoIndex.activityNet(annotations, root, "training");

        assertEquals(List.of("ApplyEyeMakeup", "Archery", "Swiping Left"), index.classNames());
        assertEquals(List.of(root.resolve("ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01"),
                root.resolve("Archery/v_Archery_g01_c01.avi"), root.resolve("12345")),
                index.videos().stream().map(VideoIndex.Video::path).toList());
        assertEquals(List.of(0, 1, 2), index.videos().stream().map(VideoIndex.Video::label).toList());

        assertMessage(() -> VideoIndex.activityNet(annotations, root, "validation"),
                "video v_Archery_g02_c01 is not under " + root + "; expected " + root + "/Archery/v_Archery_g02_c01");
        assertMessage(() -> VideoIndex.activityNet(annotations, root, "testing"), "has no annotations.label");
        assertThrows(IllegalArgumentException.class, () -> VideoIndex.activityNet(annotations, root, "train"));
    }

    @Test
    void foreignOrBrokenAnnotationFilesAreRefused() throws IOException {
        assertMessage(() -> VideoIndex.activityNet(Files.writeString(root.resolve("broken.json"), "{\"labels\": ["),
                root, "training"), "is not valid JSON");
        assertMessage(() -> VideoIndex.activityNet(Files.writeString(root.resolve("other.json"), "[1, 2]"),
                root, "training"), "is not an ActivityNet-style annotation file");
        assertMessage(() -> VideoIndex.activityNet(Files.writeString(root.resolve("label.json"),
                "{\"labels\": [\"a\"], \"database\": {\"v\": {\"subset\": \"training\","
                        + " \"annotations\": {\"label\": \"b\"}}}}"), root, "training"),
                "has label 'b', which is not among its 1 labels");
        assertMessage(() -> VideoIndex.activityNet(Files.writeString(root.resolve("none.json"),
                "{\"labels\": [\"a\"], \"database\": {}}"), root, "training"), "lists no videos in subset");
        assertMessage(() -> VideoIndex.activityNet(root.resolve("missing.json"), root, "training"), "does not exist");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
        InvalidDatasetException error = assertThrows(InvalidDatasetException.class, call);
        assertTrue(error.getMessage().contains(part), error.getMessage());
    }
}
