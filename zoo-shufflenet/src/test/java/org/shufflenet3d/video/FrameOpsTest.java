package org.shufflenet3d.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shufflenet3d.video.TransformFixtures.assertOutput;
import static org.shufflenet3d.video.TransformFixtures.input;
import static org.shufflenet3d.video.TransformFixtures.param;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.shade.jackson.databind.JsonNode;

/** Resizing, cropping and mirroring give Pillow's bytes exactly (fixtures written by Pillow 9.4). */
class FrameOpsTest {

    static Stream<Arguments> resizeCases() {
        return TransformFixtures.cases("resize");
    }

    static Stream<Arguments> cropCases() {
        return TransformFixtures.cases("crop");
    }

    static Stream<Arguments> flipCases() {
        return TransformFixtures.cases("flip");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resizeCases")
    void resizeEqualsPillowsBilinearResize(JsonNode testCase) {
        assertOutput(testCase, FrameOps.resize(input(testCase), param(testCase, "width"), param(testCase, "height")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cropCases")
    void cropEqualsPillowsCropIncludingRoundingAndPadding(JsonNode testCase) {
        JsonNode box = testCase.get("params").get("box");
        RgbFrame frame = input(testCase);
        RgbFrame cropped = box.get(0).isIntegralNumber()
                ? FrameOps.crop(frame, box.get(0).asInt(), box.get(1).asInt(), box.get(2).asInt(), box.get(3).asInt())
                : FrameOps.crop(frame, box.get(0).asDouble(), box.get(1).asDouble(), box.get(2).asDouble(),
                        box.get(3).asDouble());
        assertOutput(testCase, cropped);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("flipCases")
    void flipEqualsPillowsLeftRightTranspose(JsonNode testCase) {
        assertOutput(testCase, FrameOps.flipHorizontally(input(testCase)));
    }

    @Test
    void resizingToTheSameSizeAndCroppingTheWholeFrameChangeNothing() {
        RgbFrame frame = TransformFixtures.frame("noise17x11");

        assertSame(frame, FrameOps.resize(frame, 17, 11));
        assertSame(frame, FrameOps.crop(frame, 0, 0, 17, 11));
    }

    @Test
    void operationsLeaveTheirInputAlone() {
        RgbFrame frame = TransformFixtures.frame("noise17x11");
        byte[] before = frame.pixels().clone();

        FrameOps.resize(frame, 5, 30);
        FrameOps.crop(frame, -2, -2, 4, 4);
        FrameOps.flipHorizontally(frame);

        assertArrayEquals(before, frame.pixels());
    }

    @Test
    void emptyOrInvertedBoxesAndSizesAreRefused() {
        RgbFrame frame = TransformFixtures.frame("noise17x11");

        assertMessage(assertThrows(IllegalArgumentException.class, () -> FrameOps.crop(frame, 3, 2, 3, 8)),
                "right > left");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> FrameOps.crop(frame, 0, 5, 4, 1)),
                "(0, 5, 4, 1)");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> FrameOps.crop(frame, 0.0, 0.0, Double.NaN, 3.0)), "finite");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> FrameOps.resize(frame, 0, 4)), "0x4");
    }

    static void assertMessage(Exception e, String expected) {
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }
}
