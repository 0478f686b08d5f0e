package org.shufflenet3d.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.shufflenet3d.video.FrameOpsTest.assertMessage;
import static org.shufflenet3d.video.TransformFixtures.assertOutput;
import static org.shufflenet3d.video.TransformFixtures.doubleParam;
import static org.shufflenet3d.video.TransformFixtures.input;
import static org.shufflenet3d.video.TransformFixtures.param;
import static org.shufflenet3d.video.TransformFixtures.textParam;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * The reference's spatial transforms: pixels equal to the reference's classes run on Pillow 9.4 for every scale,
 * position and crop, and per-clip random parameters that are reproducible, shared by the frames of a clip and cover
 * every choice.
 */
class SpatialTransformTest {

    static Stream<Arguments> scaleCases() {
        return TransformFixtures.cases("scale");
    }

    static Stream<Arguments> centerCropCases() {
        return TransformFixtures.cases("center_crop");
    }

    static Stream<Arguments> cornerCropCases() {
        return TransformFixtures.cases("corner_crop");
    }

    static Stream<Arguments> multiScaleCornerCropCases() {
        return TransformFixtures.cases("multiscale_corner_crop");
    }

    static Stream<Arguments> multiScaleRandomCropCases() {
        return TransformFixtures.cases("multiscale_random_crop");
    }

    // ---------------------------------------------------------------- pixels

    @ParameterizedTest(name = "{0}")
    @MethodSource("scaleCases")
    void scaleShortSideEqualsTheReferencesScale(JsonNode testCase) {
        assertOutput(testCase, new ScaleShortSide(param(testCase, "size")).apply(input(testCase)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("centerCropCases")
    void centerCropEqualsTheReferencesCenterCrop(JsonNode testCase) {
        assertOutput(testCase,
                new CenterCrop(param(testCase, "width"), param(testCase, "height")).apply(input(testCase)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cornerCropCases")
    void cornerCropEqualsTheReferencesCornerCrop(JsonNode testCase) {
        CornerCrop crop = new CornerCrop(param(testCase, "size"), CropPosition.ofCode(textParam(testCase, "position")));
        assertOutput(testCase, crop.apply(input(testCase)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("multiScaleCornerCropCases")
    void multiScaleCornerCropEqualsTheReferences(JsonNode testCase) {
        MultiScaleCornerCrop.Fixed crop = new MultiScaleCornerCrop.Fixed(doubleParam(testCase, "scale"),
                CropPosition.ofCode(textParam(testCase, "position")), param(testCase, "size"));
        assertOutput(testCase, crop.apply(input(testCase)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("multiScaleRandomCropCases")
    void multiScaleRandomCropEqualsTheReferences(JsonNode testCase) {
        MultiScaleRandomCrop.Fixed crop = new MultiScaleRandomCrop.Fixed(doubleParam(testCase, "scale"),
                doubleParam(testCase, "x"), doubleParam(testCase, "y"), param(testCase, "size"));
        assertOutput(testCase, crop.apply(input(testCase)));
    }

    @Test
    void referenceScalesAreTheReferencesRepeatedProducts() {
        assertEquals(5, SpatialPipeline.SCALES.size());
        assertEquals(1.0, SpatialPipeline.SCALES.get(0));
        double scale = 1.0;
        for (int i = 1; i < 5; i++) {
            scale *= 0.84089641525;
            assertEquals(scale, SpatialPipeline.SCALES.get(i), 0.0);
        }
        assertEquals(0.5, SpatialPipeline.SCALES.get(4), 1e-10);
    }

    // ---------------------------------------------------------------- random parameters

    @Test
    void theSameSeedDrawsTheSameParameters() {
        for (TrainingCrop crop : TrainingCrop.values()) {
            SpatialPipeline pipeline = SpatialPipeline.training(16, crop, true);
            SplittableRandom first = new SplittableRandom(42);
            SplittableRandom second = new SplittableRandom(42);
            List<SpatialPipeline.Fixed> drawn = IntStream.range(0, 20).mapToObj(i -> pipeline.forClip(first)).toList();
            List<SpatialPipeline.Fixed> again = IntStream.range(0, 20).mapToObj(i -> pipeline.forClip(second)).toList();
            assertEquals(drawn, again, crop.toString());
            assertNotEquals(1, new HashSet<>(drawn).size(), crop + ": 20 clips drew one set of parameters");
        }
    }

    @Test
    void trainingWithoutACropIsTheValidationTransform() {
        RgbFrame frame = TransformFixtures.frame("noise40x30");
        FrameTransform validation = SpatialPipeline.validation(12).forClip(new SplittableRandom(1));
        SplittableRandom random = new SplittableRandom(3);
        for (int clip = 0; clip < 5; clip++) {
            assertArrayEquals(validation.apply(frame).pixels(),
                    SpatialPipeline.training(12, TrainingCrop.NONE, false).forClip(random).apply(frame).pixels());
        }
    }

    @Test
    void everyFrameOfAClipGetsTheSameCropAndFlip() {
        RgbFrame frame = TransformFixtures.frame("noise40x30");
        RgbFrame other = TransformFixtures.frame("noise40x30b");
        SpatialPipeline pipeline = SpatialPipeline.training(12, TrainingCrop.RANDOM, true);
        Random random = new Random(7);
        for (int clip = 0; clip < 10; clip++) {
            SpatialPipeline.Fixed drawn = pipeline.forClip(random);
            List<RgbFrame> out = drawn.applyToClip(List.of(frame, other, frame));

            assertArrayEquals(out.get(0).pixels(), out.get(2).pixels());
            assertArrayEquals(drawn.apply(other).pixels(), out.get(1).pixels());
            RandomHorizontalFlip.Fixed flip = (RandomHorizontalFlip.Fixed) drawn.steps().get(0);
            RgbFrame expected = drawn.steps().get(1).apply(flip.flipped() ? FrameOps.flipHorizontally(frame) : frame);
            assertArrayEquals(expected.pixels(), out.get(0).pixels());
        }
    }

    @Test
    void everyScaleAndPositionIsReachable() {
        SplittableRandom random = new SplittableRandom(3);
        MultiScaleCornerCrop corner = new MultiScaleCornerCrop(SpatialPipeline.SCALES, 112);
        Set<List<Object>> cornerDraws = new HashSet<>();
        MultiScaleRandomCrop anywhere = new MultiScaleRandomCrop(SpatialPipeline.SCALES, 112);
        Set<Double> randomScales = new HashSet<>();
        double lowest = 1;
        double highest = 0;
        Set<CropPosition> cornerCropPositions = new HashSet<>();
        Set<Boolean> flips = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            MultiScaleCornerCrop.Fixed c = corner.forClip(random);
            cornerDraws.add(List.of(c.scale(), c.position()));
            MultiScaleRandomCrop.Fixed r = anywhere.forClip(random);
            randomScales.add(r.scale());
            lowest = Math.min(lowest, Math.min(r.x(), r.y()));
            highest = Math.max(highest, Math.max(r.x(), r.y()));
            cornerCropPositions.add(new RandomCornerCrop(112).forClip(random).position());
            flips.add(new RandomHorizontalFlip().forClip(random).flipped());
        }
        assertEquals(25, cornerDraws.size(), "every (scale, position) pair of the multi-scale corner crop");
        assertEquals(Set.copyOf(SpatialPipeline.SCALES), randomScales);
        assertEquals(Set.of(CropPosition.values()), cornerCropPositions);
        assertEquals(Set.of(true, false), flips);
        assertEquals(0.0, lowest, 0.01, "random crop positions reach the left and top edges");
        assertEquals(1.0, highest, 0.01, "random crop positions reach the right and bottom edges");
    }

    @Test
    void trainingWithoutFlipNeverMirrors() {
        SplittableRandom random = new SplittableRandom(5);
        SpatialPipeline pipeline = SpatialPipeline.training(16, TrainingCrop.CENTER, false);
        for (int i = 0; i < 50; i++) {
            SpatialPipeline.Fixed drawn = pipeline.forClip(random);
            assertEquals(1, drawn.steps().size());
            MultiScaleCornerCrop.Fixed crop = (MultiScaleCornerCrop.Fixed) drawn.steps().get(0);
            assertEquals(CropPosition.CENTER, crop.position());
        }
    }

    @Test
    void validationAndTestPipelinesScaleThenCropTheCentre() {
        RgbFrame frame = TransformFixtures.frame("noise97x61");
        RgbFrame expected = FrameOps.crop(FrameOps.resize(frame, 25, 16), 4, 0, 20, 16);

        assertArrayEquals(expected.pixels(), SpatialPipeline.validation(16).forClip(new Random(1)).apply(frame).pixels());
        assertArrayEquals(expected.pixels(), SpatialPipeline.test(16).forClip(new Random(1)).apply(frame).pixels());
    }

    @Test
    void oneTransformServesSeveralThreadsAtOnce() {
        RgbFrame frame = TransformFixtures.frame("noise40x30");
        SpatialPipeline pipeline = SpatialPipeline.training(12, TrainingCrop.RANDOM, true);
        IntFunction<byte[]> clip = seed -> pipeline.forClip(new SplittableRandom(seed)).apply(frame).pixels();

        List<byte[]> sequential = IntStream.range(0, 64).mapToObj(clip).toList();
        List<byte[]> parallel = IntStream.range(0, 64).parallel().mapToObj(clip).toList();

        for (int i = 0; i < sequential.size(); i++) {
            assertArrayEquals(sequential.get(i), parallel.get(i), "clip " + i);
        }
    }

    // ---------------------------------------------------------------- bad input

    @ParameterizedTest
    @EnumSource(CropPosition.class)
    void cropsLargerThanTheFrameAreRefused(CropPosition position) {
        RgbFrame frame = TransformFixtures.frame("noise17x11");

        Exception e = assertThrows(IllegalArgumentException.class, () -> new CornerCrop(12, position).apply(frame));

        assertMessage(e, "12x12 pixels out of a 17x11 frame");
    }

    @Test
    void centreCropLargerThanTheFrameIsRefused() {
        RgbFrame frame = TransformFixtures.frame("noise9x13");

        assertMessage(assertThrows(IllegalArgumentException.class, () -> new CenterCrop(10, 4).apply(frame)),
                "10x4 pixels out of a 9x13 frame");
    }

    @Test
    void invalidSizesScalesAndPositionsAreRefused() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new ScaleShortSide(0)), "positive size");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new CenterCrop(0, 3)), "0x3");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new RandomCornerCrop(-1)), "-1");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> SpatialPipeline.training(0,
                TrainingCrop.RANDOM, true)), "positive output size");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new MultiScaleRandomCrop(List.of(), 8)),
                "at least one scale");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new MultiScaleRandomCrop(List.of(1.0, 1.5), 8)), "(0, 1], got 1.5");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new MultiScaleCornerCrop(List.of(0.5), 8, List.of())), "at least one crop position");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new MultiScaleRandomCrop.Fixed(0.5, 1.5, 0, 8)), "[0, 1]");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> CropPosition.ofCode("top")),
                "c, tl, tr, bl or br");
    }

    @Test
    void aFrameTooSmallForTheScaleIsRefused() {
        RgbFrame tiny = new RgbFrame(1, 3, new byte[9]);

        Exception e = assertThrows(IllegalArgumentException.class,
                () -> new MultiScaleCornerCrop.Fixed(0.5, CropPosition.CENTER, 4).apply(tiny));

        assertMessage(e, "1x3 frame is too small");
    }
}
