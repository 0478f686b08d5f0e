package org.shufflenet3d.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.shufflenet3d.video.RgbFrame;
import org.shufflenet3d.video.VideoReader;
import org.shufflenet3d.video.VideoSupport;
import org.shufflenet3d.video.VideoWriter;

/**
 * Writes a small labelled dataset of real video files in the class-folder layout: in each video a square of random
 * colour, brighter in every channel than anything behind it, crosses a smooth, dark random background to the
 * right, left, down or up (the classes, {@link #CLASS_NAMES}), over half to nine tenths of the way across. Nothing
 * but the motion tells the classes apart, and a horizontal flip turns "right" into "left": train on it without
 * flipping, as the reference does for Jester. The same seed writes the same frames.
 */
public final class MovingShapeVideos {

    /** The class names, by label. */
    public static final List<String> CLASS_NAMES = MovingSquare.DIRECTIONS;

    /**
     * What to write: {@code videosPerClass} videos per class of {@code frames} frames of {@code width} x
     * {@code height} pixels at {@code framesPerSecond}, as {@code extension} files (mp4, avi, webm or mkv).
     */
    public record Settings(int videosPerClass, int frames, int width, int height, double framesPerSecond,
            String extension, long seed) {

        public Settings {
            VideoSupport.require();
            if (videosPerClass < 1 || frames < 2 || width < 16 || height < 16 || !(framesPerSecond > 0)) {
                throw new IllegalArgumentException("moving-shape videos need at least 1 video per class, 2 frames,"
                        + " 16x16 pixels and a positive frame rate; got " + videosPerClass + ", " + frames + ", "
                        + width + "x" + height + ", " + framesPerSecond);
            }
            if (!VideoReader.VIDEO_EXTENSIONS.contains(extension)) {
                throw new IllegalArgumentException("unknown video extension '" + extension + "'; expected one of "
                        + VideoReader.VIDEO_EXTENSIONS);
            }
        }
    }

    private MovingShapeVideos() {
    }

    /** Writes the dataset as {@code root/<class>/<class>-NNN.<extension>} and returns its index. */
    public static VideoIndex write(Path root, Settings settings) throws IOException {
        List<VideoIndex.Video> videos = new ArrayList<>();
        for (int number = 0; number < settings.videosPerClass(); number++) {
            for (int label = 0; label < CLASS_NAMES.size(); label++) {
                String className = CLASS_NAMES.get(label);
                String name = String.format(Locale.ROOT, "%s-%03d.%s", className, number, settings.extension());
                Path file = root.resolve(className).resolve(name);
                long seed = settings.seed() * 0x9E3779B97F4A7C15L + number * 31L + label;
                VideoWriter.write(file, frames(label, settings.frames(), settings.width(), settings.height(), seed),
                        settings.framesPerSecond());
                videos.add(new VideoIndex.Video(className + "/" + name, file, label));
            }
        }
        return new VideoIndex(CLASS_NAMES, videos);
    }

    /** The frames of one video of class {@code label}. */
    public static List<RgbFrame> frames(int label, int frames, int width, int height, long seed) {
        IntFunction<RgbFrame> frameAt = frameSource(label, frames, width, height, seed);
        List<RgbFrame> video = new ArrayList<>(frames);
        for (int t = 0; t < frames; t++) {
            video.add(frameAt.apply(t));
        }
        return video;
    }

    /**
     * The frames of one video of class {@code label}, each made when it is asked for (frame 0 to
     * {@code frames - 1}): for long videos, with {@link VideoWriter#write(Path, int, IntFunction, double)}.
     */
    public static IntFunction<RgbFrame> frameSource(int label, int frames, int width, int height, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int side = Math.max(4, Math.min(width, height) / 5);
        int[] background = randomColour(random, 20, 100);
        int[] tilt = {random.nextInt(-40, 41), random.nextInt(-40, 41)};
        int[] moving = randomColour(random, 190, 256);
        int horizontal = MovingSquare.COLUMN_STEP[label];
        int vertical = MovingSquare.ROW_STEP[label];
        int travelRoom = horizontal != 0 ? width - side : height - side;
        double travel = travelRoom * (0.5 + 0.4 * random.nextDouble());
        double startAlong = (travelRoom - travel) * random.nextDouble();
        int across = random.nextInt((horizontal != 0 ? height : width) - side + 1);

        byte[] base = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    int value = background[c] + tilt[c % 2] * (c == 1 ? y : x) / Math.max(width, height);
                    base[3 * (y * width + x) + c] = (byte) Math.max(0, Math.min(255, value));
                }
            }
        }
        return t -> {
            int along = (int) Math.round(startAlong + travel * t / Math.max(1, frames - 1));
            int position = (horizontal + vertical) > 0 ? along : travelRoom - along;
            byte[] pixels = base.clone();
            MovingSquare.paint(horizontal != 0 ? across : position, horizontal != 0 ? position : across, side,
                    (y, x) -> {
                        for (int c = 0; c < 3; c++) {
                            pixels[3 * (y * width + x) + c] = (byte) moving[c];
                        }
                    });
            return new RgbFrame(width, height, pixels);
        };
    }

    private static int[] randomColour(SplittableRandom random, int from, int to) {
        return new int[] {random.nextInt(from, to), random.nextInt(from, to), random.nextInt(from, to)};
    }
}
