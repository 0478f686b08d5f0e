package org.shufflenet3d.data;

import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.video.ClipNormalization;

/**
 * A generated dataset in which motion is the only cue: a bright square moves right, left, down or up (classes 0
 * to 3, named {@code "right"}, {@code "left"}, {@code "down"}, {@code "up"}) over a background of uniform noise
 * drawn afresh for every frame. It is meant for tests, demos and the command line's generated dataset. Played
 * backwards, a clip of one class is a clip of its opposite, so a model that ignores the order of frames cannot tell
 * right from left nor down from up.
 *
 * <p>Each clip is generated on demand from the seed and its index alone, so {@link #clip} is deterministic and
 * safe to call from several threads. In a clip:
 * <ul>
 * <li>background pixels are integers uniform in 0–{@value #NOISE_MAX}, independently per channel, pixel and frame;
 * <li>the square has side {@link #squareSide()} (a fifth of the smaller frame dimension, at least 3 pixels) and
 * one integer colour, each channel uniform in {@value #SQUARE_MIN}–255, so it is brighter than any background
 * pixel; neither its size nor its colour depends on the class;
 * <li>it moves in its class's direction at a constant speed drawn uniformly from 1–2 pixels per frame (positions
 * rounded to whole pixels), slowed where the frame is too small for that over the whole clip, and it stays
 * entirely inside the frame from first to last frame; its start position is uniform among those that allow
 * this. A single frame's appearance thus says nothing about the class; only where the square sits carries a
 * little (a square moving right cannot start at the right edge).
 * </ul>
 * Values are those the reference feeds its networks: the 0–255 pixels minus the ActivityNet mean
 * ({@link #MEAN}, R, G, B), as float32 [3, D, H, W].
 *
 * <p>Clips come in videos of {@code clipsPerVideo} consecutive indices ({@code "video-0"}, {@code "video-1"}, ...;
 * the last one shorter if the clip count is not a multiple): the clips of a video share its label, colour and
 * speed, each with its own start position and noise. Labels cycle through the classes by video, so the classes
 * are balanced: {@code label(i) = (i / clipsPerVideo) % 4}.
 *
 * <p>Frames must be at least {@value #MIN_SIZE}x{@value #MIN_SIZE} pixels and clips at least
 * {@value #MIN_FRAMES} frames long, and the square must be able to travel at least half a pixel per frame without
 * leaving the frame: {@code 2 * (min(height, width) - squareSide) >= frames - 1} (16 frames fit in 12x12, 32 frames
 * need 19x19, and 16x112x112 is far inside). Every clip's square moves at least one pixel between its first and
 * last frames.
 */
public class SyntheticMotion implements LabeledClips {

    /** The class names, by label. */
    public static final List<String> CLASS_NAMES = MovingSquare.DIRECTIONS;
    /** The per-channel mean subtracted from the 0–255 pixels (ActivityNet's, R, G, B), as in the reference. */
    public static final List<Double> MEAN = ClipNormalization.Mean.ACTIVITYNET.perChannel();
    /** The smallest frame height and width. */
    public static final int MIN_SIZE = 12;
    /** The fewest frames a clip may have. */
    public static final int MIN_FRAMES = 2;
    /** The brightest background value. */
    public static final int NOISE_MAX = 127;
    /** The dimmest value a channel of the square's colour takes. */
    public static final int SQUARE_MIN = 192;

    private static final int CLASSES = 4;
    private static final double MIN_SPEED = 1.0;
    private static final double MAX_SPEED = 2.0;
    private static final double SLOWEST_SPEED = 0.5;

    private final int clips;
    private final ClipShape shape;
    private final long seed;
    private final int clipsPerVideo;
    private final int side;
    private final float[] mean;

    /** {@code clips} clips of {@code shape}, each a video of its own. */
    public SyntheticMotion(int clips, ClipShape shape, long seed) {
        this(clips, shape, seed, 1);
    }

    /** {@code clips} clips of {@code shape}, in videos of {@code clipsPerVideo} consecutive clips. */
    public SyntheticMotion(int clips, ClipShape shape, long seed, int clipsPerVideo) {
        Objects.requireNonNull(shape, "shape");
        if (clips < 1) {
            throw new InvalidConfigurationException("a synthetic motion dataset needs at least 1 clip, got " + clips);
        }
        if (clipsPerVideo < 1) {
            throw new InvalidConfigurationException("clips per video must be at least 1, got " + clipsPerVideo);
        }
        if (shape.frames() < MIN_FRAMES) {
            throw new InvalidClipException("synthetic motion needs clips of at least " + MIN_FRAMES
                    + " frames (motion needs two), got " + shape.frames());
        }
        if (shape.height() < MIN_SIZE || shape.width() < MIN_SIZE) {
            throw new InvalidClipException("synthetic motion needs frames of at least " + MIN_SIZE + "x" + MIN_SIZE
                    + " pixels, got " + shape.height() + "x" + shape.width());
        }
        if ((long) ClipShape.CHANNELS * shape.frames() * shape.height() * shape.width() > Integer.MAX_VALUE - 8) {
            throw new InvalidClipException("synthetic motion clips of " + shape + " would not fit in one Java array");
        }
        int side = squareSide(shape);
        if (!roomToMove(Math.min(shape.height(), shape.width()), shape.frames())) {
            int needed = Math.max(MIN_SIZE, (shape.frames() - 1) / 2);
            while (!roomToMove(needed, shape.frames())) {
                needed++;
            }
            throw new InvalidClipException("synthetic motion's " + side + "-pixel square cannot move half a pixel per"
                    + " frame over " + shape.frames() + " frames inside " + shape.height() + "x" + shape.width()
                    + " frames: give frames of at least " + needed + "x" + needed + " pixels or fewer frames");
        }
        this.clips = clips;
        this.shape = shape;
        this.seed = seed;
        this.clipsPerVideo = clipsPerVideo;
        this.side = side;
        this.mean = new float[ClipShape.CHANNELS];
        for (int c = 0; c < mean.length; c++) {
            mean[c] = MEAN.get(c).floatValue();
        }
    }

    private static int squareSide(ClipShape shape) {
        return squareSide(Math.min(shape.height(), shape.width()));
    }

    private static int squareSide(int smallerDimension) {
        return Math.max(3, smallerDimension / 5);
    }

    /** Whether the square can move half a pixel a frame over {@code frames} frames in a dimension this large. */
    private static boolean roomToMove(int dimension, int frames) {
        return 2L * (dimension - squareSide(dimension)) >= frames - 1;
    }

    /** The side of the moving square, in pixels. */
    public int squareSide() {
        return side;
    }

    public int clipsPerVideo() {
        return clipsPerVideo;
    }

    public long seed() {
        return seed;
    }

    @Override
    public int size() {
        return clips;
    }

    @Override
    public int numClasses() {
        return CLASSES;
    }

    @Override
    public ClipShape clipShape() {
        return shape;
    }

    @Override
    public List<String> classNames() {
        return CLASS_NAMES;
    }

    @Override
    public int label(int index) {
        Objects.checkIndex(index, clips);
        return direction(index);
    }

    /** The direction clip {@code index} moves in: its label, whatever a subclass reports. */
    private int direction(int index) {
        return (index / clipsPerVideo) % CLASSES;
    }

    @Override
    public String video(int index) {
        Objects.checkIndex(index, clips);
        return "video-" + index / clipsPerVideo;
    }

    @Override
    public INDArray clip(int index) {
        Objects.checkIndex(index, clips);
        int label = direction(index);
        int frames = shape.frames();
        int height = shape.height();
        int width = shape.width();

        // What a video's clips share: colour and speed.
        SplittableRandom videoRandom = new SplittableRandom(mix(seed, 2L * (index / clipsPerVideo)));
        int[] colour = new int[ClipShape.CHANNELS];
        for (int c = 0; c < colour.length; c++) {
            colour[c] = videoRandom.nextInt(SQUARE_MIN, 256);
        }
        double drawnSpeed = MIN_SPEED + (MAX_SPEED - MIN_SPEED) * videoRandom.nextDouble();

        // What is the clip's own: start position and noise.
        SplittableRandom random = new SplittableRandom(mix(seed, 2L * index + 1));
        int rowRoom = height - side;
        int columnRoom = width - side;
        boolean vertical = MovingSquare.ROW_STEP[label] != 0;
        int axisRoom = vertical ? rowRoom : columnRoom;
        double speed = Math.min(drawnSpeed, (double) axisRoom / (frames - 1));
        int travel = (int) Math.round(speed * (frames - 1));
        int startRow = start(random, rowRoom, MovingSquare.ROW_STEP[label], travel);
        int startColumn = start(random, columnRoom, MovingSquare.COLUMN_STEP[label], travel);

        int frameSize = height * width;
        int channelSize = frames * frameSize;
        float[] data = new float[ClipShape.CHANNELS * channelSize];
        for (int c = 0; c < ClipShape.CHANNELS; c++) {
            for (int i = c * channelSize, end = i + channelSize; i < end; i++) {
                data[i] = random.nextInt(NOISE_MAX + 1) - mean[c];
            }
        }
        for (int t = 0; t < frames; t++) {
            int offset = (int) Math.round(speed * t);
            int top = startRow + MovingSquare.ROW_STEP[label] * offset;
            int left = startColumn + MovingSquare.COLUMN_STEP[label] * offset;
            for (int c = 0; c < ClipShape.CHANNELS; c++) {
                float value = colour[c] - mean[c];
                int base = c * channelSize + t * frameSize;
                MovingSquare.paint(top, left, side, (y, x) -> data[base + y * width + x] = value);
            }
        }
        return Nd4j.create(data, new long[] {ClipShape.CHANNELS, frames, height, width}, 'c');
    }

    /** A start uniform among those that keep a square moving {@code step * travel} pixels within [0, room]. */
    private static int start(SplittableRandom random, int room, int step, int travel) {
        if (step == 0) {
            return random.nextInt(room + 1);
        }
        int first = random.nextInt(room - travel + 1);
        return step > 0 ? first : first + travel;
    }

    /** A well-mixed seed for stream {@code stream} of this dataset (splitmix64's finaliser over both). */
    private static long mix(long seed, long stream) {
        return finalise(finalise(seed) ^ finalise(stream + 0x9E3779B97F4A7C15L));
    }

    private static long finalise(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "SyntheticMotion[" + clips + " clips of " + shape + ", " + clipsPerVideo + " per video, seed " + seed
                + "]";
    }
}
