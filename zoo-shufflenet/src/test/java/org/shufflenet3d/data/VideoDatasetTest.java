package org.shufflenet3d.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.video.ClipNormalization;
import org.shufflenet3d.video.InvalidVideoException;
import org.shufflenet3d.video.RgbFrame;
import org.shufflenet3d.video.SpatialPipeline;
import org.shufflenet3d.video.TemporalSampling;
import org.shufflenet3d.video.TrainingCrop;
import org.shufflenet3d.video.VideoClassifier;
import org.shufflenet3d.video.VideoClips;
import org.shufflenet3d.video.VideoReader;
import org.shufflenet3d.video.VideoWriter;

/** Datasets of real (lossless) video files, checked against the pipeline's steps applied by hand. */
class VideoDatasetTest {

    private static final ClipShape SHAPE = new ClipShape(8, 24, 24);
    private static final int FRAMES = 20;

    @TempDir
    static Path root;

    static VideoIndex index;
    static VideoClips clips;

    @BeforeAll
    static void writeVideos() throws IOException {
        index = MovingShapeVideos.write(root.resolve("videos"), new MovingShapeVideos.Settings(2, FRAMES, 40, 32, 25,
                "mkv", 5));
        clips = new VideoClips(SHAPE, new VideoClips.Preprocessing(VideoReader.asStored(), 1, TrainingCrop.RANDOM,
                true, ClipNormalization.DEFAULT));
    }

    @Test
    void theWrittenDatasetIsAClassFolderDatasetOfTheGeneratedFrames() {
        VideoIndex read = VideoIndex.classFolders(root.resolve("videos"), null);

        assertEquals(List.of("down", "left", "right", "up"), read.classNames());
        assertEquals(8, read.videos().size());
        assertEquals(MovingShapeVideos.CLASS_NAMES, index.classNames());
        VideoIndex.Video first = index.videos().get(0);
        List<RgbFrame> decoded = VideoReader.asStored().read(first.path());
        assertEquals(FRAMES, decoded.size());
        long seed = 5 * 0x9E3779B97F4A7C15L;
        List<RgbFrame> generated = MovingShapeVideos.frames(first.label(), FRAMES, 40, 32, seed);
        for (int t = 0; t < FRAMES; t++) {
            assertArrayEquals(generated.get(t).pixels(), decoded.get(t).pixels(), "frame " + t);
        }
        assertNotEquals(Arrays.hashCode(generated.get(0).pixels()), Arrays.hashCode(generated.get(FRAMES - 1)
                .pixels()), "the square moves");
    }

    @Test
    void evaluationClipsAreTheCentreWindowScaledCroppedAndNormalised() {
        VideoDataset dataset = VideoDataset.perVideo(index, clips);
        Path video = index.videos().get(3).path();
        int[] centre = {6, 7, 8, 9, 10, 11, 12, 13};

        List<RgbFrame> frames = VideoReader.asStored().read(video, centre);
        INDArray expected = ClipNormalization.DEFAULT.toArray(SpatialPipeline.test(24)
                .forClip(new SplittableRandom(0)).applyToClip(frames));

        assertEquals(index.videos().size(), dataset.size());
        assertEquals(expected, dataset.clip(3));
        assertEquals(index.videos().get(3).label(), dataset.label(3));
        assertEquals(index.videos().get(3).name(), dataset.video(3));
        assertArrayEquals(new long[] {3, 8, 24, 24}, dataset.clip(3).shape());
        assertEquals(-ClipNormalization.DEFAULT.mean().get(0), dataset.clip(3).minNumber().doubleValue(), 120);
    }

    @Test
    void trainingClipsFollowTheirSeedAlone() {
        VideoDataset dataset = VideoDataset.perVideo(index, clips);
        Path video = index.videos().get(2).path();
        SplittableRandom random = new SplittableRandom(42);
        int[] window = new TemporalSampling(8, 1).random(FRAMES, random);
        INDArray expected = ClipNormalization.DEFAULT.toArray(SpatialPipeline.training(24, TrainingCrop.RANDOM, true)
                .forClip(random).applyToClip(VideoReader.asStored().read(video, window)));

        assertEquals(expected, dataset.trainingClip(2, 42));
        assertEquals(dataset.trainingClip(2, 42), dataset.trainingClip(2, 42));
        long distinct = LongStream.range(0, 6).mapToObj(seed -> dataset.trainingClip(2, seed))
                .distinct().count();
        assertTrue(distinct > 1, "different seeds cut different clips");
    }

    @Test
    void testSetsHoldEveryConsecutiveClipOfEveryVideo() {
        VideoDataset dataset = VideoDataset.allClips(index, clips);

        // 20 frames in windows of 8 starting at 0, 8 and 16 (the last looped over frames 16-19)
        assertEquals(3 * index.videos().size(), dataset.size());
        assertEquals(index.videos().get(1).name(), dataset.video(4));
        assertEquals(index.videos().get(1).label(), dataset.label(5));
        int[] last = {16, 17, 18, 19, 16, 17, 18, 19};
        INDArray expected = ClipNormalization.DEFAULT.toArray(SpatialPipeline.test(24)
                .forClip(new SplittableRandom(0)).applyToClip(VideoReader.asStored().read(index.videos().get(1)
                        .path(), last)));
        assertEquals(expected, dataset.clip(5));
        assertEquals(dataset.clip(5), dataset.trainingClip(5, 9));
        List<INDArray> streamed = new ArrayList<>();
        assertEquals(3, clips.forEachTestClip(index.videos().get(1).path(), streamed::add));
        assertEquals(streamed.get(2), dataset.clip(5));
        assertThrows(IndexOutOfBoundsException.class, () -> dataset.clip(dataset.size()));
    }

    @Test
    void aVideoShorterThanAClipIsLooped() throws IOException {
        Path shortVideo = root.resolve("short/right/short.mkv");
        VideoWriter.write(shortVideo, MovingShapeVideos.frames(0, 3, 40, 32, 1), 25);
        VideoIndex shortIndex = VideoIndex.classFolders(root.resolve("short"), null);

        VideoDataset dataset = VideoDataset.perVideo(shortIndex, clips);

        INDArray clip = dataset.clip(0);
        assertEquals(clip.get(NDArrayIndex.all(), NDArrayIndex.point(0)),
                clip.get(NDArrayIndex.all(), NDArrayIndex.point(3)));
        assertEquals(1, VideoDataset.allClips(shortIndex, clips).size());
    }

    @Test
    void clipsOfVideosAreSquare() {
        InvalidClipException error = assertThrows(InvalidClipException.class,
                () -> new VideoClips(new ClipShape(8, 24, 32), VideoClips.Preprocessing.DEFAULT));
        assertTrue(error.getMessage().contains("square"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new VideoClips.Preprocessing(VideoReader.asStored(), 0,
                TrainingCrop.CORNER, true, ClipNormalization.DEFAULT));
    }

    @Test
    void aVideoIsClassifiedByItsClipsAveragedProbabilities() {
        ShuffleNet3d model = ShuffleNet3d.create(ShuffleNetConfig.v2(0.25, 4), SHAPE);
        VideoClassifier classifier = new VideoClassifier(model, clips, index.classNames(), 2);
        Path video = index.videos().get(0).path();

        VideoClassifier.Prediction prediction = classifier.classify(video);

        List<INDArray> all = new ArrayList<>();
        clips.forEachTestClip(video, all::add);
        double[] expected = new double[4];
        for (INDArray clip : all) {
            double[] p = model.probabilities(clip.reshape(1, 3, 8, 24, 24)).toDoubleVector();
            for (int c = 0; c < 4; c++) {
                expected[c] += p[c] / all.size();
            }
        }
        assertEquals(3, prediction.clips());
        assertArrayEquals(expected, prediction.probabilities(), 1e-6);
        List<VideoClassifier.Ranked> top = prediction.top(2);
        assertEquals(2, top.size());
        assertTrue(top.get(0).probability() >= top.get(1).probability());
        assertEquals(index.classNames().get(top.get(0).label()), top.get(0).name());
        assertThrows(IllegalArgumentException.class, () -> new VideoClassifier(model, clips, List.of("a", "b"), 2));
        assertThrows(InvalidVideoException.class,
                () -> classifier.classify(Files.createDirectories(root.resolve("no-frames"))));
    }
}
