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
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
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
 * <p>Memory stays bounded whatever a file claims: frames are decoded one at a time, and never larger than
 * {@link #MAX_DECODED_SIDE} pixels a side (FFmpeg scales larger frames of a video file down while decoding; larger
 * frame images are read every n-th pixel). {@link #withShortSideAtMost} lowers the bound to what a pipeline needs.
 * Frame images claiming more than {@link #MAX_STORED_PIXELS} pixels, and scaling requests that would exceed the
 * bound, are refused before anything is decoded. Only regular files are read.
 *
 * <p>Instances are immutable and thread-safe; each call opens its own decoder.
 */
public final class VideoReader {

    /** The file extensions read as video files when a folder is scanned (FFmpeg may read others too). */
    public static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "avi", "webm", "mkv", "mov", "m4v");

    /** {@link #VIDEO_EXTENSIONS} for messages: "avi, m4v, mkv, mov, mp4, webm". */
    public static final String VIDEO_EXTENSION_LIST = String.join(", ", new TreeSet<>(VIDEO_EXTENSIONS));

    /** The longest side, in pixels, of a frame as decoded. */
    public static final int MAX_DECODED_SIDE = 4096;

    /** The most pixels a stored frame may have (a 20000 x 20000 frame has fewer). */
    public static final long MAX_STORED_PIXELS = 1L << 29;

    private static final Pattern FRAME_FILE = Pattern.compile("(?:image_)?(\\d+)\\.(?:jpe?g|png)",
            Pattern.CASE_INSENSITIVE);
    private static final String EXPECTED = "expected a video file (" + VIDEO_EXTENSION_LIST + ") or a folder of"
            + " frames named image_00001.jpg, ... or 00001.jpg, ... (jpg or png)";

    private final int shortSide;
    private final int maxShortSide;

    private VideoReader(int shortSide, int maxShortSide) {
        this.shortSide = shortSide;
        this.maxShortSide = maxShortSide;
    }

    /** A reader that keeps every frame at the size it was stored at (up to {@link #MAX_DECODED_SIDE}). */
    public static VideoReader asStored() {
        return new VideoReader(0, 0);
    }

    /**
     * A reader that scales the frames of video files so that their shorter side is {@code pixels} long, keeping the
     * aspect ratio, as the reference's frame extraction did with 240. A video whose frames would then be longer
     * than {@link #MAX_DECODED_SIDE} is refused when it is read.
     */
    public static VideoReader scalingShortSideTo(int pixels) {
        if (pixels < 1 || pixels > MAX_DECODED_SIDE) {
            throw new IllegalArgumentException("cannot scale video frames to a short side of " + pixels
                    + " pixels; expected a short side from 1 to " + MAX_DECODED_SIDE);
        }
        return new VideoReader(pixels, 0);
    }

    /**
     * This reader, but frames whose shorter side is longer than {@code pixels} are made smaller while they are
     * decoded: a video file's by FFmpeg's bicubic scaler to exactly that short side, a frame image's by reading
     * every n-th pixel of every n-th row, to a short side from {@code pixels} to twice that. Frames a reader
     * {@link #scalingShortSideTo scales} keep that size.
     */
    public VideoReader withShortSideAtMost(int pixels) {
        if (pixels < 1) {
            throw new IllegalArgumentException("the largest short side to decode must be positive, got " + pixels);
        }
        return new VideoReader(shortSide, pixels);
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
        try (FrameCursor frames = open(source)) {
            while (frames.skip()) {
                // counted by the cursor
            }
            return requireFrames(source, frames.position());
        }
    }

    /** Every frame of {@code source}, in order, all held in memory: for short videos. */
    public List<RgbFrame> read(Path source) {
        List<RgbFrame> all = new ArrayList<>();
        try (FrameCursor frames = open(source)) {
            for (RgbFrame frame; (frame = frames.next()) != null; ) {
                all.add(frame);
            }
            requireFrames(source, frames.position());
        }
        return all;
    }

    /**
     * The frames of {@code source} at {@code indices} (0-based, in the order given, repeats allowed), decoding a
     * video file only as far as the last one needed.
     */
    public List<RgbFrame> read(Path source, int[] indices) {
        return read(source, indices, frame -> frame);
    }

    /**
     * {@link #read(Path, int[])} with {@code transform} applied to each frame as soon as it is decoded: only the
     * transformed frames are held, and frames not asked for are passed over without converting their pixels.
     */
    public List<RgbFrame> read(Path source, int[] indices, FrameTransform transform) {
        Objects.requireNonNull(transform, "transform");
        if (indices.length == 0) {
            throw new IllegalArgumentException("no frame indices given for " + source);
        }
        int min = Arrays.stream(indices).min().getAsInt();
        if (min < 0) {
            throw new IllegalArgumentException("frame indices start at 0, got " + min + " for " + source);
        }
        try (FrameCursor frames = open(source)) {
            return readFrom(frames, source, indices, transform);
        }
    }

    /**
     * The frames at {@code indices} read on from {@code frames}, whose position must not be past the first of them,
     * each transformed as soon as it is decoded; the cursor is left after the last one.
     */
    static List<RgbFrame> readFrom(FrameCursor frames, Path source, int[] indices, FrameTransform transform) {
        int last = Arrays.stream(indices).max().getAsInt();
        Map<Integer, RgbFrame> kept = new HashMap<>();
        for (int index : indices) {
            kept.put(index, null);
        }
        while (frames.position() <= last) {
            int index = frames.position();
            if (kept.containsKey(index)) {
                RgbFrame frame = frames.next();
                if (frame == null) {
                    break;
                }
                kept.put(index, transform.apply(frame));
            } else if (!frames.skip()) {
                break;
            }
        }
        if (frames.position() <= last) {
            int count = requireFrames(source, frames.position());
            throw new InvalidVideoException("frame " + last + " asked of " + source + ", which has " + count
                    + " frames; expected indices 0 to " + (count - 1));
        }
        return Arrays.stream(indices).mapToObj(kept::get).toList();
    }

    /** An open cursor over the frames of {@code source}, the first frame next. */
    FrameCursor open(Path source) {
        if (Files.isDirectory(source)) {
            return new FolderCursor(requireFrameFiles(source));
        }
        return new FileCursor(source);
    }

    private final class FolderCursor implements FrameCursor {

        private final List<Path> files;
        private int position;

        FolderCursor(List<Path> files) {
            this.files = files;
        }

        @Override
        public int position() {
            return position;
        }

        @Override
        public RgbFrame next() {
            return position < files.size() ? readImage(files.get(position++)) : null;
        }

        @Override
        public boolean skip() {
            if (position == files.size()) {
                return false;
            }
            position++;
            return true;
        }

        @Override
        public void close() {
        }
    }

    private final class FileCursor implements FrameCursor {

        private final Path file;
        private final FFmpegFrameGrabber grabber;
        private int position;

        FileCursor(Path file) {
            this.file = file;
            this.grabber = start(file);
        }

        @Override
        public int position() {
            return position;
        }

        @Override
        public RgbFrame next() {
            try {
                Frame frame = grabber.grabImage();
                if (frame == null) {
                    return null;
                }
                position++;
                return toRgb(frame);
            } catch (FrameGrabber.Exception e) {
                throw unreadable(file, e);
            }
        }

        @Override
        public boolean skip() {
            try {
                if (grabber.grabFrame(false, true, false, false) == null) {
                    return false;
                }
                position++;
                return true;
            } catch (FrameGrabber.Exception e) {
                throw unreadable(file, e);
            }
        }

        @Override
        public void close() {
            try {
                grabber.close();
            } catch (FrameGrabber.Exception e) {
                throw unreadable(file, e);
            }
        }
    }

    private FFmpegFrameGrabber start(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidVideoException(file + (Files.exists(file) ? " is not a regular file" : " does not exist")
                    + "; " + EXPECTED);
        }
        FfmpegLogging.silence();
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
        grabber.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        try {
            grabber.start();
            int width = grabber.getImageWidth();
            int height = grabber.getImageHeight();
            if (width < 1 || height < 1) {
                throw new InvalidVideoException(file + " has no video stream; " + EXPECTED);
            }
            requireStoredSize(file, width, height);
            int[] size = decodedSize(file, width, height);
            if (size != null) {
                grabber.setImageWidth(size[0]);
                grabber.setImageHeight(size[1]);
                grabber.setImageScalingFlags(swscale.SWS_BICUBIC);
            }
            return grabber;
        } catch (FrameGrabber.Exception e) {
            closeAfterFailure(grabber, e);
            throw unreadable(file, e);
        } catch (RuntimeException e) {
            closeAfterFailure(grabber, e);
            throw e;
        }
    }

    private static void closeAfterFailure(FFmpegFrameGrabber grabber, Exception failure) {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception e) {
            failure.addSuppressed(e);
        }
    }

    /** The width and height FFmpeg is to scale frames of {@code width} x {@code height} to; null to keep them. */
    private int[] decodedSize(Path file, int width, int height) {
        int shorter = Math.min(width, height);
        int longer = Math.max(width, height);
        int targetShort;
        if (shortSide > 0) {
            targetShort = shortSide;
        } else if (maxShortSide > 0 && shorter > maxShortSide) {
            targetShort = maxShortSide;
        } else if (longer > MAX_DECODED_SIDE) {
            targetShort = shorter;
        } else {
            return null;
        }
        long targetLong = Math.round((double) targetShort * longer / shorter);
        if (targetLong > MAX_DECODED_SIDE) {
            if (shortSide > 0) {
                throw new InvalidVideoException("cannot scale the " + width + "x" + height + " frames of " + file
                        + " to a short side of " + shortSide + ": their long side would be " + targetLong
                        + " pixels; expected a short side that keeps both sides at most " + MAX_DECODED_SIDE
                        + " pixels (here at most " + (long) MAX_DECODED_SIDE * shorter / longer + ")");
            }
            targetLong = MAX_DECODED_SIDE;
            targetShort = (int) Math.max(1, Math.round((double) MAX_DECODED_SIDE * shorter / longer));
        }
        return width <= height ? new int[] {targetShort, (int) targetLong} : new int[] {(int) targetLong, targetShort};
    }

    /** How many pixels apart a frame image of {@code width} x {@code height} is read in each direction. */
    private int subsampling(int width, int height) {
        int shorter = Math.min(width, height);
        int longer = Math.max(width, height);
        int step = (longer + MAX_DECODED_SIDE - 1) / MAX_DECODED_SIDE;
        if (maxShortSide > 0 && shorter > maxShortSide) {
            step = Math.max(step, shorter / maxShortSide);
        }
        return step;
    }

    private RgbFrame readImage(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidVideoException("frame " + file + " is not a regular file; " + EXPECTED);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new InvalidVideoException("cannot decode frame " + file + ": not a jpg or png image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                requireStoredSize(file, width, height);
                ImageReadParam parameters = reader.getDefaultReadParam();
                int step = subsampling(width, height);
                if (step > 1) {
                    parameters.setSourceSubsampling(step, step, 0, 0);
                }
                return RgbFrame.of(reader.read(0, parameters));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidVideoException invalid) {
                throw invalid;
            }
            throw new InvalidVideoException("cannot read frame " + file + ": " + e.getMessage(), e);
        }
    }

    private static void requireStoredSize(Path source, int width, int height) {
        if (width < 1 || height < 1 || (long) width * height > MAX_STORED_PIXELS) {
            throw new InvalidVideoException(source + " has frames of " + width + "x" + height + " pixels; expected"
                    + " frames of at most " + MAX_STORED_PIXELS + " pixels");
        }
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

    static int requireFrames(Path source, int count) {
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

    /** The frame images of a folder, by number: regular files only (a pipe of that name would never end). */
    private static List<Path> frameFiles(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.filter(file -> FRAME_FILE.matcher(file.getFileName().toString()).matches())
                    .filter(Files::isRegularFile)
                    .sorted(Comparator.comparingLong(VideoReader::frameNumber))
                    .toList();
        } catch (IOException e) {
            throw new InvalidVideoException("cannot list frame folder " + folder + ": " + e.getMessage(), e);
        }
    }

    private static long frameNumber(Path file) {
        Matcher matcher = FRAME_FILE.matcher(file.getFileName().toString());
        matcher.matches();
        String digits = matcher.group(1).replaceFirst("^0+(?=\\d)", "");
        return digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
    }

    static String extension(Path path) {
        String name = path.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
