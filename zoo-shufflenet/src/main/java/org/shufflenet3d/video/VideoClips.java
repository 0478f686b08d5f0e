package org.shufflenet3d.video;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
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
 * <li>{@link #testClips}: consecutive windows over the whole video, scaled and centre-cropped alike.
 * </ul>
 * A video shorter than a clip is looped, with a warning. Frame counts are remembered, so each video is counted once.
 * Thread-safe.
 */
public final class VideoClips {

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
    private final TemporalSampling sampling;
    private final SpatialPipeline training;
    private final FrameTransform evaluation;
    private final Map<Path, Integer> frameCounts = new ConcurrentHashMap<>();

    /** Clips of {@code shape}, whose frames must be square (the reference crops S x S). */
    public VideoClips(ClipShape shape, Preprocessing preprocessing) {
        if (shape.height() != shape.width()) {
            throw new InvalidClipException("clips cut from videos are square crops; got frames of " + shape.height()
                    + "x" + shape.width() + ", expected a size S for S x S");
        }
        this.shape = shape;
        this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
        this.sampling = new TemporalSampling(shape.frames(), preprocessing.downsample());
        this.training = SpatialPipeline.training(shape.height(), preprocessing.crop(), preprocessing.flip());
        this.evaluation = SpatialPipeline.test(shape.height()).forClip(new SplittableRandom(0)); // draws nothing
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
        return toClip(video, frames, training.forClip(random));
    }

    /** The validation clip of {@code video}: its centre window. */
    public INDArray validationClip(Path video) {
        return toClip(video, sampling.center(frameCount(video)), evaluation);
    }

    /** The frames {@link #testClips} takes from a video of {@code frameCount} frames, one array per clip. */
    public List<int[]> testWindows(int frameCount) {
        return sampling.consecutiveClips(frameCount);
    }

    /** The test clip of {@code video} made of {@code frames} (one of its {@link #testWindows}). */
    public INDArray testClip(Path video, int[] frames) {
        return toClip(video, frames, evaluation);
    }

    /** Every test clip of {@code video}: consecutive windows, in order, decoding the video once. */
    public List<INDArray> testClips(Path video) {
        List<RgbFrame> all = preprocessing.reader().read(video);
        if (frameCounts.putIfAbsent(video, all.size()) == null && sampling.loops(all.size())) {
            warnLooping(video, all.size());
        }
        return testWindows(all.size()).stream()
                .map(window -> preprocessing.normalization().toArray(evaluation.applyToClip(
                        Arrays.stream(window).mapToObj(all::get).toList())))
                .toList();
    }

    /** The number of frames of {@code video}, counted once and remembered; warns when clips of it will loop. */
    public int frameCount(Path video) {
        return frameCounts.computeIfAbsent(video, path -> {
            int count = preprocessing.reader().frameCount(path);
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

    private INDArray toClip(Path video, int[] frames, FrameTransform spatial) {
        return preprocessing.normalization().toArray(spatial.applyToClip(preprocessing.reader().read(video, frames)));
    }
}
