package org.shufflenet3d.video;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a video into the clips the reference feeds its networks, as float32 [3, D, S, S]: which frames
 * ({@link TemporalSampling}), how they are cropped and scaled ({@link SpatialPipeline}), and how their pixels become
 * numbers ({@link ClipNormalization}). The three kinds of clip are the reference's:
 * <ul>
 * <li>{@link #trainingClip}: a random window, a random flip (unless switched off) and a multi-scale crop;
 * <li>{@link #validationClip}: the centre window, the short side scaled to S and the centre crop;
 * <li>{@link #forEachTestClip}: consecutive windows over the whole video, scaled and centre-cropped alike.
 * </ul>
 * A video shorter than a clip is looped, with a warning. Frame counts are remembered, so each video is counted once.
 *
 * <p>Memory does not grow with a video's length or frame size: frames are decoded one at a time, no larger than
 * {@link #DECODE_BOUND} times S on their short side (larger ones are scaled down while decoding, see
 * {@link VideoReader#withShortSideAtMost}), and each is cropped and scaled as soon as it is decoded, so that only the
 * S x S frames of the clip being cut are held. Thread-safe.
 */
public final class VideoClips {

    /**
     * Frames are decoded with a short side of at most this many times the clip's size S: enough for the smallest
     * training crop (half the short side) to be cut from frames at least twice as large as the S x S it is resized
     * to; the reference's frames, 240 pixels for clips of 112, are read as stored.
     */
    public static final int DECODE_BOUND = 4;

    private static final Logger LOG = LoggerFactory.getLogger(VideoClips.class);

    /**
     * How videos are read and turned into clips, beyond the clip's shape: {@code reader} decodes, every
     * {@code downsample}-th frame is taken, training crops are {@code crop} and flipped at random when {@code flip}
     * (never for classes that tell left from right, such as Jester's), and {@code normalization} sets the values.
     */
    public record Preprocessing(VideoReader reader, int downsample, TrainingCrop crop, boolean flip,
            ClipNormalization normalization) {

        static {
            VideoSupport.require(); // before DEFAULT's reader loads JavaCV's classes
        }

        /** The reference's defaults: frames as stored, every frame, corner crops, flips, ActivityNet mean, RGB. */
        public static final Preprocessing DEFAULT = new Preprocessing(VideoReader.asStored(), 1, TrainingCrop.CORNER,
                true, ClipNormalization.DEFAULT);

        public Preprocessing {
            Objects.requireNonNull(reader, "reader");
            Objects.requireNonNull(crop, "crop");
            Objects.requireNonNull(normalization, "normalization");
            if (downsample < 1) {
                throw new IllegalArgumentException("the downsample stride must be at least 1, got " + downsample);
            }
        }
    }

    private final ClipShape shape;
    private final Preprocessing preprocessing;
    private final VideoReader reader;
    private final TemporalSampling sampling;
    private final SpatialPipeline training;
    private final FrameTransform evaluation;
    private final SequentialFrames testFrames;
    private final Map<Path, Integer> frameCounts = new ConcurrentHashMap<>();

    /** Clips of {@code shape}, whose frames must be square (the reference crops S x S). */
    public VideoClips(ClipShape shape, Preprocessing preprocessing) {
        if (shape.height() != shape.width()) {
            throw new InvalidClipException("clips cut from videos are square crops; got frames of " + shape.height()
                    + "x" + shape.width() + ", expected a size S for S x S");
        }
        this.shape = shape;
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        this.reader = preprocessing.reader().withShortSideAtMost(
                (int) Math.min(VideoReader.MAX_DECODED_SIDE, (long) DECODE_BOUND * shape.height()));
        this.sampling = new TemporalSampling(shape.frames(), preprocessing.downsample());
        this.training = SpatialPipeline.training(shape.height(), preprocessing.crop(), preprocessing.flip());
        this.evaluation = SpatialPipeline.test(shape.height()).forClip(new SplittableRandom(0)); // draws nothing
        this.testFrames = new SequentialFrames(reader::open, evaluation);
    }

    public ClipShape shape() {
        return shape;
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** A training clip of {@code video}, every random choice drawn from {@code random}. */
    public INDArray trainingClip(Path video, RandomGenerator random) {
        int[] frames = sampling.random(frameCount(video), random);
        return toArray(reader.read(video, frames, training.forClip(random)));
    }

    /** The validation clip of {@code video}: its centre window. */
    public INDArray validationClip(Path video) {
        return toArray(reader.read(video, sampling.center(frameCount(video)), evaluation));
    }

    /** The frames {@link #forEachTestClip} takes from a video of {@code frameCount} frames, one array per clip. */
    public List<int[]> testWindows(int frameCount) {
        return sampling.consecutiveClips(frameCount);
    }

    /**
     * The test clip of {@code video} made of {@code frames} (one of its {@link #testWindows}). Asked for the clips
     * of a video in order, one after the other, the video is decoded once: its decoder stays open between them.
     */
    public INDArray testClip(Path video, int[] frames) {
        int begin = Arrays.stream(frames).min().orElse(0);
        boolean last = (long) begin + sampling.duration() >= frameCount(video) - 1;
        return toArray(testFrames.read(video, frames, last));
    }

    /**
     * Every test clip of {@code video}, consecutive windows in order, each given to {@code clip} as soon as its
     * frames are decoded: the video is decoded once and only one clip's frames are held. Returns the number of
     * clips.
     */
    public int forEachTestClip(Path video, Consumer<INDArray> clip) {
        Objects.requireNonNull(clip, "clip");
        int[] clips = {0};
        int count;
        try (FrameCursor frames = reader.open(video)) {
            count = sampling.consecutiveClips(transformed(frames, evaluation), window -> {
                clip.accept(toArray(window));
                clips[0]++;
            });
        }
        VideoReader.requireFrames(video, count);
        if (frameCounts.putIfAbsent(video, count) == null && sampling.loops(count)) {
            warnLooping(video, count);
        }
        return clips[0];
    }

    /**
     * {@link #forEachTestClip} in batches: each {@code batch} [n, 3, D, H, W] holds up to {@code batchSize} clips in
     * order, the last one the rest. Returns the number of clips.
     */
    public int forEachTestBatch(Path video, int batchSize, Consumer<INDArray> batch) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, got " + batchSize);
        }
        Objects.requireNonNull(batch, "batch");
        List<INDArray> pending = new ArrayList<>(batchSize);
        int count = forEachTestClip(video, clip -> {
            pending.add(clip);
            if (pending.size() == batchSize) {
                batch.accept(Nd4j.stack(0, pending.toArray(INDArray[]::new)));
                pending.clear();
            }
        });
        if (!pending.isEmpty()) {
            batch.accept(Nd4j.stack(0, pending.toArray(INDArray[]::new)));
        }
        return count;
    }

    /** The number of frames of {@code video}, counted once and remembered; warns when clips of it will loop. */
    public int frameCount(Path video) {
        return frameCounts.computeIfAbsent(video, path -> {
            int count = reader.frameCount(path);
            if (sampling.loops(count)) {
                warnLooping(path, count);
            }
            return count;
        });
    }

    private void warnLooping(Path video, int frames) {
        LOG.warn("{} has {} frames, fewer than the {} a clip spans: its frames are repeated in a loop, as the"
                + " reference does", video, frames, sampling.duration());
    }

    private INDArray toArray(List<RgbFrame> frames) {
        return preprocessing.normalization().toArray(frames);
    }

    /** The frames of a cursor, each transformed as it is decoded. */
    private static Iterator<RgbFrame> transformed(FrameCursor frames, FrameTransform transform) {
        return new Iterator<>() {
            private RgbFrame ahead;

            @Override
            public boolean hasNext() {
                if (ahead == null) {
                    ahead = frames.next();
                }
                return ahead != null;
            }

            @Override
            public RgbFrame next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                RgbFrame frame = transform.apply(ahead);
                ahead = null;
                return frame;
            }
        };
    }
}
