package org.shufflenet3d.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.shufflenet3d.video.FrameOpsTest.assertMessage;
import static org.shufflenet3d.video.TransformFixtures.doubleParam;
import static org.shufflenet3d.video.TransformFixtures.param;
import static org.shufflenet3d.video.TransformFixtures.textParam;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.shufflenet3d.video.ClipNormalization.ChannelOrder;
import org.shufflenet3d.video.ClipNormalization.Mean;

/**
 * Whole clips through the reference's training, validation and test transforms and its ToTensor and Normalize
 * (computed by PyTorch 1.13 in the fixtures): the very same float32 values, for each mean, std, norm value and
 * channel order.
 */
class ClipNormalizationTest {

    static Stream<Arguments> clipCases() {
        return TransformFixtures.cases("clip");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clipCases")
    void clipsEqualTheReferencesTensors(JsonNode testCase) {
        List<RgbFrame> frames = StreamSupport.stream(testCase.get("inputs").spliterator(), false)
                .map(name -> TransformFixtures.frame(name.asText())).toList();
        JsonNode norm = testCase.get("normalization");
        ClipNormalization normalization = ClipNormalization.of(
                Mean.valueOf(norm.get("mean").asText().toUpperCase(Locale.ROOT)), norm.get("std").asBoolean(),
                norm.get("norm_value").asDouble(), ChannelOrder.valueOf(norm.get("order").asText()));

        float[] values = normalization.toFloats(pipeline(testCase).applyToClip(frames));

        assertArrayEquals(TransformFixtures.floats(testCase.get("values").asText()), values);
    }

    private static FrameTransform pipeline(JsonNode testCase) {
        int size = param(testCase, "size");
        SplittableRandom nothingToDraw = new SplittableRandom(0);
        return switch (testCase.get("pipeline").asText()) {
            case "validation" -> SpatialPipeline.validation(size).forClip(nothingToDraw);
            case "test" -> SpatialPipeline.test(size).forClip(nothingToDraw);
            case "training_corner" -> new SpatialPipeline.Fixed(List.of(
                    new RandomHorizontalFlip.Fixed(testCase.get("params").get("flip").asBoolean()),
                    new MultiScaleCornerCrop.Fixed(doubleParam(testCase, "scale"),
                            CropPosition.ofCode(textParam(testCase, "position")), size)));
            case "training_random" -> new SpatialPipeline.Fixed(List.of(
                    new RandomHorizontalFlip.Fixed(testCase.get("params").get("flip").asBoolean()),
                    new MultiScaleRandomCrop.Fixed(doubleParam(testCase, "scale"), doubleParam(testCase, "x"),
                            doubleParam(testCase, "y"), size)));
            default -> throw new IllegalArgumentException("unknown pipeline " + testCase.get("pipeline"));
        };
    }

    @Test
    void theDefaultSubtractsTheActivityNetMeanFromRgbPixels() {
        RgbFrame frame = new RgbFrame(2, 1, new byte[] {0, 10, (byte) 255, 1, 2, 3});

        float[] values = ClipNormalization.DEFAULT.toFloats(List.of(frame, frame));

        float r = 114.7748f;
        float g = 107.7354f;
        float b = 99.4750f;
        assertArrayEquals(new float[] {-r, 1 - r, -r, 1 - r, 10 - g, 2 - g, 10 - g, 2 - g, 255 - b, 3 - b, 255 - b,
            3 - b}, values);
    }

    @Test
    void theArrayIsChannelsFramesHeightWidth() {
        RgbFrame first = TransformFixtures.frame("noise17x11");
        RgbFrame second = FrameOps.flipHorizontally(first);

        INDArray clip = ClipNormalization.DEFAULT.toArray(List.of(first, second, first));

        assertArrayEquals(new long[] {3, 3, 11, 17}, clip.shape());
        assertEquals(DataType.FLOAT, clip.dataType());
        assertEquals(second.value(4, 7, 2) - 99.4750f, clip.getFloat(2, 1, 7, 4), 0f);
        assertEquals(first.value(16, 10, 0) - 114.7748f, clip.getFloat(0, 2, 10, 16), 0f);
    }

    @Test
    void badClipsAndSettingsAreRefused() {
        RgbFrame small = TransformFixtures.frame("noise17x11");
        RgbFrame other = TransformFixtures.frame("noise9x13");
        ClipNormalization normalization = ClipNormalization.DEFAULT;

        assertMessage(assertThrows(IllegalArgumentException.class, () -> normalization.toFloats(List.of())),
                "at least one frame");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> normalization.toArray(List.of(small, small, other))), "frame 2 is 9x13, frame 0 is 17x11");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> ClipNormalization.of(Mean.KINETICS, false, 0, ChannelOrder.RGB)), "positive");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new ClipNormalization(List.of(1.0, 2.0), List.of(1.0, 1.0, 1.0), 1, ChannelOrder.BGR)),
                "3 finite values");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> new ClipNormalization(List.of(1.0, 2.0, 3.0), List.of(1.0, 0.0, 1.0), 1, ChannelOrder.BGR)),
                "divide by zero");
    }
}
