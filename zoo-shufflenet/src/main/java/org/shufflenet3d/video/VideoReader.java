package org.shufflenet3d.video;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Reads the frames of a video: a video file FFmpeg decodes (mp4, avi, webm, mkv, ...), or a folder of frame images
 * as the reference's extraction utilities write them ({@code image_00001.jpg}, ... for UCF-101 and Kinetics,
 * {@code 00001.jpg}, ... for Jester; jpg or png), ordered by their number. Frames come out as 8-bit RGB.
 *
 * <p>The reference trained on frames that FFmpeg had first scaled to a short side of 240 pixels and stored as JPEG.
 * {@link #scalingShortSideTo} reproduces the scaling when decoding a video file (with FFmpeg's bicubic scaler, as
 * its {@code -vf scale} does); frame folders are read as stored. JPEG decoders may differ by a unit in the last
 * place from the libjpeg the reference's PIL used.
 *
 * <p>Instances are immutable and thread-safe; each call opens its own decoder.
 */
public final class VideoReader {

    /** The file extensions read as video files when a folder is scanned (FFmpeg may read others too). */
    public static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "avi", "webm", "mkv", "mov", "m4v");

    private static final Pattern FRAME_FILE = Pattern.compile("(?:image_)?(\\d+)\\.(?:jpe?g|png)",
            Pattern.CASE_INSENSITIVE);
    private static final String EXPECTED = "expected a video file (mp4, avi, webm, mkv) or a folder of frames named"
            + " image_00001.jpg, ... or 00001.jpg, ... (jpg or png)";

    private final int shortSide;

    private VideoReader(int shortSide) {
        this.shortSide = shortSide;
    }

    /** A reader that keeps every frame at the size it was stored at. */
    public static VideoReader asStored() {
        return new VideoReader(0);
    }

    /**
     * A reader that scales the frames of video files so that their shorter side is {@code pixels} long, keeping the
     * aspect ratio, as the reference's frame extraction did with 240.
     */
    public static VideoReader scalingShortSideTo(int pixels) {
        if (pixels < 1) {
            throw new IllegalArgumentException("the short side to scale to must be positive, got " + pixels);
        }
        return new VideoReader(pixels);
    }

    /** Whether {@code path} looks like a video: a file with one of {@link #VIDEO_EXTENSIONS}, or a frame folder. */
    public static boolean isVideo(Path path) {
        if (Files.isDirectory(path)) {
            return !frameFiles(path).isEmpty();
        }
        return Files.isRegularFile(path) && VIDEO_EXTENSIONS.contains(extension(path));
    }

    /** The number of frames of {@code source}, counted by decoding a video file (without converting its pixels). */
    public int frameCount(Path source) {
        if (Files.isDirectory(source)) {
            return requireFrameFiles(source).size();
        }
        try (FFmpegFrameGrabber grabber = open(source)) {
            int count = 0;
            while (grabber.grabFrame(false, true, false, false) != null) {
                count++;
            }
            return requireFrames(source, count);
        } catch (FrameGrabber.Exception e) {
            throw unreadable(source, e);
        }
    }

    /** Every frame of {@code source}, in order. */
    public List<RgbFrame> read(Path source) {
        return Files.isDirectory(source) ? readFolder(source, null) : readFile(source, null);
    }

    /**
     * The frames of {@code source} at {@code indices} (0-based, in the order given, repeats allowed), decoding a
     * video file only as far as the last one needed.
     */
    public List<RgbFrame> read(Path source, int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("no frame indices given for " + source);
        }
        int min = Arrays.stream(indices).min().getAsInt();
        if (min < 0) {
            throw new IllegalArgumentException("frame indices start at 0, got " + min + " for " + source);
        }
        return Files.isDirectory(source) ? readFolder(source, indices) : readFile(source, indices);
    }

    private List<RgbFrame> readFolder(Path folder, int[] indices) {
        List<Path> files = requireFrameFiles(folder);
        int[] chosen = indices != null ? indices : IntStream.range(0, files.size()).toArray();
        Map<Integer, RgbFrame> decoded = new HashMap<>();
        List<RgbFrame> frames = new ArrayList<>(chosen.length);
        for (int index : chosen) {
            if (index >= files.size()) {
                throw new InvalidVideoException("frame " + index + " asked of " + folder + ", which has "
                        + files.size() + " frames; expected indices 0 to " + (files.size() - 1));
            }
            frames.add(decoded.computeIfAbsent(index, i -> readImage(files.get(i))));
        }
        return frames;
    }

    private static RgbFrame readImage(Path file) {
        try {
            BufferedImage image = ImageIO.read(file.toFile());
            if (image == null) {
                throw new InvalidVideoException("cannot decode frame " + file + ": not a jpg or png image");
            }
            return RgbFrame.of(image);
        } catch (IOException e) {
            throw new InvalidVideoException("cannot read frame " + file + ": " + e.getMessage(), e);
        }
    }

    private List<RgbFrame> readFile(Path file, int[] indices) {
        int last = indices == null ? Integer.MAX_VALUE : Arrays.stream(indices).max().getAsInt();
        Map<Integer, RgbFrame> kept = new HashMap<>();
        List<RgbFrame> all = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = open(file)) {
            if (shortSide > 0) {
                scaleShortSide(grabber);
            }
            Set<Integer> wanted = indices == null ? Set.of()
                    : Arrays.stream(indices).boxed().collect(Collectors.toSet());
            int index = 0;
            Frame frame;
            while (index <= last && (frame = grabber.grabImage()) != null) {
                if (indices == null) {
                    all.add(toRgb(frame));
                } else if (wanted.contains(index)) {
                    kept.put(index, toRgb(frame));
                }
                index++;
            }
            requireFrames(file, index);
            if (indices == null) {
                return all;
            }
            if (last >= index) {
                throw new InvalidVideoException("frame " + last + " asked of " + file + ", which has " + index
                        + " frames; expected indices 0 to " + (index - 1));
            }
        } catch (FrameGrabber.Exception e) {
            throw unreadable(file, e);
        }
        return Arrays.stream(indices).mapToObj(kept::get).toList();
    }

    private void scaleShortSide(FFmpegFrameGrabber grabber) {
        int width = grabber.getImageWidth();
        int height = grabber.getImageHeight();
        if (width <= height) {
            grabber.setImageWidth(shortSide);
            grabber.setImageHeight((int) Math.round((double) shortSide * height / width));
        } else {
            grabber.setImageHeight(shortSide);
            grabber.setImageWidth((int) Math.round((double) shortSide * width / height));
        }
        grabber.setImageScalingFlags(swscale.SWS_BICUBIC);
    }

    private static FFmpegFrameGrabber open(Path file) throws FrameGrabber.Exception {
        if (!Files.isRegularFile(file)) {
            throw new InvalidVideoException(file + (Files.exists(file) ? " is not a regular file" : " does not exist")
                    + "; " + EXPECTED);
        }
        FfmpegLogging.silence();
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
        grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        try {
            grabber.start();
        } catch (FrameGrabber.Exception e) {
            grabber.close();
            throw e;
        }
        if (grabber.getImageWidth() < 1 || grabber.getImageHeight() < 1) {
            grabber.close();
            throw new InvalidVideoException(file + " has no video stream; " + EXPECTED);
        }
        return grabber;
    }

    private static RgbFrame toRgb(Frame frame) {
        int width = frame.imageWidth;
        int height = frame.imageHeight;
        ByteBuffer buffer = (ByteBuffer) frame.image[0];
        byte[] pixels = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            buffer.get(y * frame.imageStride, pixels, 3 * y * width, 3 * width);
        }
        return new RgbFrame(width, height, pixels);
    }

    private static int requireFrames(Path source, int count) {
        if (count == 0) {
            throw new InvalidVideoException(source + " has no frames; " + EXPECTED);
        }
        return count;
    }

    private static InvalidVideoException unreadable(Path file, FrameGrabber.Exception cause) {
        return new InvalidVideoException("cannot decode " + file + " (" + cause.getMessage()
                .replace(" (For more details, make sure FFmpegLogCallback.set() has been called.)", "")
                + "); " + EXPECTED, cause);
    }

    private static List<Path> requireFrameFiles(Path folder) {
        List<Path> files = frameFiles(folder);
        if (files.isEmpty()) {
            throw new InvalidVideoException(folder + " holds no frame images; " + EXPECTED);
        }
        return files;
    }

    private static List<Path> frameFiles(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(file -> FRAME_FILE.matcher(file.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(VideoReader::frameNumber))
                    .toList();
        } catch (IOException e) {
            throw new InvalidVideoException("cannot list frame folder " + folder + ": " + e.getMessage(), e);
        }
    }

    private static long frameNumber(Path file) {
        Matcher matcher = FRAME_FILE.matcher(file.getFileName().toString());
        matcher.matches();
        return Long.parseLong(matcher.group(1));
    }

    static String extension(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
