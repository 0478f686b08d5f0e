package org.shufflenet3d.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shufflenet3d.video.LargeImages;
import org.shufflenet3d.video.VideoWriter;

/**
 * Clips cut from a long video, from a video of large frames and from a folder of very large frame images, in a JVM
 * whose heap (256 MB) holds none of them whole: the long video's frames at their stored size would take 410 MB,
 * one large frame 36 MB and one frame image, read whole, more than 300 MB.
 */
class BoundedMemoryTest {

    private static final int LONG_FRAMES = 800;

    @TempDir
    Path dir;

    @Test
    void clipsOfLongVideosAndLargeFramesAreCutInASmallHeap() throws Exception {
        Path longVideo = dir.resolve("long/right/long.avi");
        VideoWriter.write(longVideo, LONG_FRAMES, MovingShapeVideos.frameSource(0, LONG_FRAMES, 480, 360, 1), 25);
        Path largeFrames = dir.resolve("large/right/large.mkv");
        VideoWriter.write(largeFrames, 10, MovingShapeVideos.frameSource(0, 10, 4000, 3000, 2), 25);
        Path images = Files.createDirectories(dir.resolve("images/right/frames"));
        for (int t = 1; t <= 2; t++) {
            LargeImages.writeBlackPng(images.resolve(String.format("image_%05d.png", t)), 8000, 8000);
        }

        List<String> output = runWithSmallHeap(ClipsOfEveryKind.class, dir.resolve("long"), dir.resolve("large"),
                dir.resolve("images")).stream().filter(line -> line.startsWith(dir.toString())).toList();

        // windows of 8 frames starting every 8 frames before the last one
        assertEquals(List.of(dir.resolve("long") + ": 100 test clips, 100 streamed",
                dir.resolve("large") + ": 2 test clips, 2 streamed",
                dir.resolve("images") + ": 1 test clips, 1 streamed"), output);
    }

    /** What {@code main} prints, by line, when run with {@code paths} in a JVM of 256 MB heap; fails if it fails. */
    private static List<String> runWithSmallHeap(Class<?> main, Path... paths) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dorg.bytedeco.javacpp.maxbytes=1g", "-Dorg.bytedeco.javacpp.maxphysicalbytes=0",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                main.getName()));
        for (Path path : paths) {
            command.add(path.toString());
        }
        Path log = Files.createTempFile("small-heap", ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            boolean finished = process.waitFor(10, TimeUnit.MINUTES);
            if (!finished) {
                process.destroyForcibly();
            }
            String text = Files.readString(log);
            assertTrue(finished && process.exitValue() == 0, "exit " + (finished ? process.exitValue() : "timeout")
                    + ":\n" + text);
            return text.lines().toList();
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
