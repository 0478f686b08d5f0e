package org.shufflenet3d.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VideoFilesTest {

    private static final int WIDTH = 64;
    private static final int HEIGHT = 48;
    private static final int FRAMES = 12;

    @TempDir
    Path folder;

    /** A smooth pattern (lossy codecs keep it to a few levels) that changes from frame to frame. */
    static RgbFrame pattern(int width, int height, int t) {
        byte[] pixels = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int offset = 3 * (y * width + x);
                pixels[offset] = (byte) (x * 255 / (width - 1));
                pixels[offset + 1] = (byte) (y * 255 / (height - 1));
                pixels[offset + 2] = (byte) (t * 255 / (FRAMES - 1));
            }
        }
        return new RgbFrame(width, height, pixels);
    }

    static List<RgbFrame> patternVideo() {
        return IntStream.range(0, FRAMES).mapToObj(t -> pattern(WIDTH, HEIGHT, t)).toList();
    }

    @Test
    void mkvIsLosslessAndReadsBackEveryPixel() throws IOException {
        Path video = folder.resolve("clip.mkv");
        VideoWriter.write(video, patternVideo(), 25);

        List<RgbFrame> frames = VideoReader.asStored().read(video);

        assertEquals(FRAMES, frames.size());
        for (int t = 0; t < FRAMES; t++) {
            assertArrayEquals(pattern(WIDTH, HEIGHT, t).pixels(), frames.get(t).pixels(), "frame " + t);
        }
        assertEquals(FRAMES, VideoReader.asStored().frameCount(video));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mp4", "avi", "webm"})
    void lossyFormatsKeepEveryFrameAndTheirPixelsWithinAFewLevels(String extension) throws IOException {
        Path video = folder.resolve("clip." + extension);
        VideoWriter.write(video, patternVideo(), 25);

        List<RgbFrame> frames = VideoReader.asStored().read(video);

        assertEquals(FRAMES, frames.size());
        assertEquals(FRAMES, VideoReader.asStored().frameCount(video));
        for (int t = 0; t < FRAMES; t++) {
            byte[] expected = pattern(WIDTH, HEIGHT, t).pixels();
            byte[] actual = frames.get(t).pixels();
            double total = 0;
            for (int i = 0; i < expected.length; i++) {
                total += Math.abs((expected[i] & 0xFF) - (actual[i] & 0xFF));
            }
            assertTrue(total / expected.length < 3, extension + " frame " + t + " mean error " + total / expected.length);
        }
    }

    @Test
    void chosenFramesComeInTheOrderAskedWithRepeats() throws IOException {
        Path video = folder.resolve("clip.mkv");
        VideoWriter.write(video, patternVideo(), 25);

        List<RgbFrame> frames = VideoReader.asStored().read(video, new int[] {5, 1, 5, 11});

        assertEquals(4, frames.size());
        assertArrayEquals(pattern(WIDTH, HEIGHT, 5).pixels(), frames.get(0).pixels());
        assertArrayEquals(pattern(WIDTH, HEIGHT, 1).pixels(), frames.get(1).pixels());
        assertSame(frames.get(0), frames.get(2));
        assertArrayEquals(pattern(WIDTH, HEIGHT, 11).pixels(), frames.get(3).pixels());
    }

    @Test
    void scalingTheShortSideKeepsTheAspectRatio() throws IOException {
        Path video = folder.resolve("clip.mkv");
        VideoWriter.write(video, patternVideo(), 25);

        RgbFrame frame = VideoReader.scalingShortSideTo(24).read(video, new int[] {3}).get(0);

        assertEquals(32, frame.width());
        assertEquals(24, frame.height());
        assertEquals(pattern(32, 24, 3).value(16, 12, 0), frame.value(16, 12, 0), 4);
        assertEquals(pattern(32, 24, 3).value(16, 12, 1), frame.value(16, 12, 1), 4);
    }

    @Test
    void frameFoldersAreReadInNumericOrderInBothNamings() throws IOException {
        Path ucfStyle = Files.createDirectories(folder.resolve("v_ucf"));
        Path jesterStyle = Files.createDirectories(folder.resolve("12345"));
        for (int t = 0; t < FRAMES; t++) {
            ImageIO.write(pattern(WIDTH, HEIGHT, t).toImage(), "png",
                    ucfStyle.resolve(String.format("image_%05d.png", t + 1)).toFile());
            ImageIO.write(pattern(WIDTH, HEIGHT, t).toImage(), "png", jesterStyle.resolve((t + 1) + ".png").toFile());
        }
        Files.writeString(ucfStyle.resolve("n_frames"), String.valueOf(FRAMES));

        for (Path frames : List.of(ucfStyle, jesterStyle)) {
            assertTrue(VideoReader.isVideo(frames));
            assertEquals(FRAMES, VideoReader.asStored().frameCount(frames));
            List<RgbFrame> read = VideoReader.asStored().read(frames);
            for (int t = 0; t < FRAMES; t++) {
                assertArrayEquals(pattern(WIDTH, HEIGHT, t).pixels(), read.get(t).pixels(), frames + " frame " + t);
            }
            assertArrayEquals(pattern(WIDTH, HEIGHT, 10).pixels(),
                    VideoReader.asStored().read(frames, new int[] {10}).get(0).pixels());
        }
    }

    @Test
    void badVideosAreNamedWithTheExpectedForm() throws IOException {
        VideoReader reader = VideoReader.asStored();
        Path missing = folder.resolve("missing.mp4");
        Path text = Files.writeString(folder.resolve("notes.mp4"), "not a video", StandardCharsets.UTF_8);
        Path empty = Files.createDirectories(folder.resolve("empty"));
        Path video = folder.resolve("clip.mkv");
        VideoWriter.write(video, patternVideo(), 25);

        assertMessage(assertThrows(InvalidVideoException.class, () -> reader.read(missing)), "does not exist");
        assertMessage(assertThrows(InvalidVideoException.class, () -> reader.read(text)), "cannot decode");
        assertMessage(assertThrows(InvalidVideoException.class, () -> reader.frameCount(empty)), "no frame images");
        assertMessage(assertThrows(InvalidVideoException.class, () -> reader.read(video, new int[] {FRAMES})),
                "has 12 frames");
        assertThrows(IllegalArgumentException.class, () -> reader.read(video, new int[] {-1}));
        assertFalse(VideoReader.isVideo(empty));
        assertFalse(VideoReader.isVideo(missing));
        Path truncated = folder.resolve("truncated.mkv");
        byte[] whole = Files.readAllBytes(video);
        Files.write(truncated, Arrays.copyOf(whole, 100));
        assertThrows(InvalidVideoException.class, () -> reader.read(truncated));
    }

    @Test
    void aScalingRequestIsCheckedAgainstTheBoundAndTheFrameSizeBeforeDecoding() throws IOException {
        Path video = folder.resolve("clip.mkv");
        VideoWriter.write(video, patternVideo(), 25);

        for (int pixels : new int[] {0, VideoReader.MAX_DECODED_SIDE + 1, 20000, 100000}) {
            assertMessage(assertThrows(IllegalArgumentException.class, () -> VideoReader.scalingShortSideTo(pixels)),
                    "from 1 to " + VideoReader.MAX_DECODED_SIDE);
        }
        // 64x48 frames at a short side of 4000 would be 5333 pixels wide
        assertMessage(assertThrows(InvalidVideoException.class,
                () -> VideoReader.scalingShortSideTo(4000).read(video, new int[] {0})), "here at most 3072");
        assertEquals(4096, VideoReader.scalingShortSideTo(3072).read(video, new int[] {0}).get(0).width());
    }

    @Test
    void framesLargerThanABoundAreMadeSmallerWhileDecoding() throws IOException {
        Path video = folder.resolve("clip.mkv");
        VideoWriter.write(video, patternVideo(), 25);
        Path images = Files.createDirectories(folder.resolve("frames"));
        ImageIO.write(pattern(WIDTH, HEIGHT, 0).toImage(), "png", images.resolve("image_00001.png").toFile());

        RgbFrame scaled = VideoReader.asStored().withShortSideAtMost(24).read(video, new int[] {2}).get(0);
        RgbFrame subsampled = VideoReader.asStored().withShortSideAtMost(20).read(images, new int[] {0}).get(0);
        RgbFrame asStored = VideoReader.asStored().withShortSideAtMost(48).read(video, new int[] {2}).get(0);

        assertEquals(List.of(32, 24), List.of(scaled.width(), scaled.height()));
        assertEquals(pattern(32, 24, 2).value(16, 12, 0), scaled.value(16, 12, 0), 4);
        // every second pixel of every second row: a short side from 20 to 40
        assertEquals(List.of(32, 24), List.of(subsampled.width(), subsampled.height()));
        assertEquals(pattern(WIDTH, HEIGHT, 0).value(30, 20, 0), subsampled.value(15, 10, 0));
        assertArrayEquals(pattern(WIDTH, HEIGHT, 2).pixels(), asStored.pixels());
    }

    @Test
    void aFrameImageClaimingTooManyPixelsIsRefusedBeforeItIsDecoded() throws IOException {
        Path images = Files.createDirectories(folder.resolve("frames"));
        LargeImages.writeEmptyPng(images.resolve("00001.png"), 30000, 30000);

        assertMessage(assertThrows(InvalidVideoException.class,
                () -> VideoReader.asStored().read(images, new int[] {0})), "30000x30000");
    }

    @Test
    void onlyRegularFilesAreFrames() throws Exception {
        Path frames = Files.createDirectories(folder.resolve("frames"));
        for (int t = 0; t < 3; t++) {
            ImageIO.write(pattern(WIDTH, HEIGHT, t).toImage(), "png", frames.resolve((t + 1) + ".png").toFile());
        }
        Path fifo = frames.resolve("4.png");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo is needed to make a named pipe");
        Files.createDirectories(frames.resolve("5.png"));

        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertEquals(3, VideoReader.asStored().frameCount(frames));
            assertEquals(3, VideoReader.asStored().read(frames).size());
            assertMessage(assertThrows(InvalidVideoException.class, () -> VideoReader.asStored().read(fifo)),
                    "is not a regular file");
        });
    }

    @Test
    void aFailedWriteLeavesTheEarlierFileIntact() throws IOException {
        Path video = folder.resolve("clip.mkv");
        VideoWriter.write(video, patternVideo(), 25);
        byte[] before = Files.readAllBytes(video);

        assertThrows(IllegalArgumentException.class, () -> VideoWriter.write(video,
                List.of(pattern(WIDTH, HEIGHT, 0), pattern(WIDTH + 2, HEIGHT, 1)), 25));
        assertThrows(IllegalArgumentException.class, () -> VideoWriter.write(folder.resolve("clip.gif"),
                patternVideo(), 25));

        assertArrayEquals(before, Files.readAllBytes(video));
        try (var entries = Files.list(folder)) {
            assertEquals(List.of(video), entries.toList());
        }
    }

    private static void assertMessage(Exception e, String part) {
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }
}
