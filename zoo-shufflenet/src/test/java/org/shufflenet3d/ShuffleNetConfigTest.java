package org.shufflenet3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shufflenet3d.ReferenceOps.uniform;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Which configurations and clip geometries the reference can build (REFERENCE §2), and the errors for the rest. */
class ShuffleNetConfigTest {

    private static final double[] WIDTHS = {0.25, 0.5, 1.0, 1.5, 2.0};
    private static final int[] GROUPS = {1, 2, 3, 4, 8};

    static Stream<Arguments> v1GroupsAndWidths() {
        return Arrays.stream(GROUPS).boxed()
                .flatMap(g -> Arrays.stream(WIDTHS).mapToObj(w -> Arguments.of(g, w)));
    }

    /** g=1 and g=3 take every width; g=2, 4 and 8 only 1.0 and 2.0. */
    private static boolean validInTheReference(int groups, double width) {
        return groups == 1 || groups == 3 || width == 1.0 || width == 2.0;
    }

    static Stream<Arguments> validV1Pairs() {
        return v1GroupsAndWidths().filter(a -> validInTheReference((int) a.get()[0], (double) a.get()[1]));
    }

    static Stream<Arguments> invalidV1Pairs() {
        return v1GroupsAndWidths().filter(a -> !validInTheReference((int) a.get()[0], (double) a.get()[1]));
    }

    @ParameterizedTest(name = "g={0} {1}x")
    @MethodSource("validV1Pairs")
    void v1BuildsAndRunsTheReferencesValidPairs(int groups, double width) {
        ShuffleNetConfig config = ShuffleNetConfig.v1(groups, width, 5);
        ShuffleNet3d model = ShuffleNet3d.create(config, new ClipShape(15, 33, 33));

        INDArray logits = model.output(uniform(groups, -1, 1, 1, 3, 15, 33, 33));

        assertArrayEquals(new long[] {1, 5}, logits.shape());
        assertEquals(groups, config.groups());
        assertEquals(width, config.widthMultiplier());
    }

    @ParameterizedTest(name = "g={0} {1}x")
    @MethodSource("invalidV1Pairs")
    void v1RefusesTheOtherPairsNamingTheProblemAndTheValidWidths(int groups, double width) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ShuffleNetConfig.v1(groups, width, 10));

        String message = e.getMessage();
        assertTrue(message.contains("groups=" + groups + " at width " + width), message);
        assertTrue(message.contains("do not divide into " + groups + " groups"), message);
        assertTrue(message.contains("use width 1.0, 2.0"), message);
    }

    @Test
    void v1RefusesUnknownGroups() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ShuffleNetConfig.v1(5, 1.0, 10));
        assertTrue(e.getMessage().contains("groups 1, 2, 3, 4 or 8, got 5"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -1, Double.NaN, Double.POSITIVE_INFINITY})
    void v1RefusesNonPositiveWidths(double width) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ShuffleNetConfig.v1(3, width, 10));
        assertTrue(e.getMessage().contains("width"), e.getMessage());
    }

    @Test
    void v2RefusesAnUnknownWidth() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ShuffleNetConfig.v2(0.75, 10));
        assertTrue(e.getMessage().contains("0.75"), e.getMessage());
        assertTrue(e.getMessage().contains("[0.25, 0.5, 1.0, 1.5, 2.0]"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.25, 0.5, 1.0, 1.5, 2.0})
    void v2AcceptsThePublishedWidths(double width) {
        assertEquals(width, ShuffleNetConfig.v2(width, 10).widthMultiplier());
    }

    @Test
    void v2RefusesGroups() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> new ShuffleNetConfig(Architecture.SHUFFLENET_V2, 1.0, 3, 10));
        assertTrue(e.getMessage().contains("groups=3"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"shufflenet, 0", "shufflenetv2, 0", "shufflenet, -3"})
    void refusesFewerThanOneClass(String arch, int classes) {
        Architecture architecture = Architecture.fromReferenceName(arch);
        int groups = architecture == Architecture.SHUFFLENET ? 3 : 0;
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> new ShuffleNetConfig(architecture, 1.0, groups, classes));
        assertTrue(e.getMessage().contains("classes must be at least 1, got " + classes), e.getMessage());
    }

    @Test
    void refusesAMissingArchitecture() {
        assertThrows(InvalidConfigurationException.class, () -> new ShuffleNetConfig(null, 1.0, 3, 10));
    }

    @Test
    void architecturesAreFoundByTheReferencesNames() {
        assertEquals(Architecture.SHUFFLENET, Architecture.fromReferenceName("shufflenet"));
        assertEquals(Architecture.SHUFFLENET_V2, Architecture.fromReferenceName("ShuffleNetV2"));
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> Architecture.fromReferenceName("mobilenetv2"));
        assertTrue(e.getMessage().contains("'mobilenetv2'"), e.getMessage());
        assertTrue(e.getMessage().contains("shufflenet, shufflenetv2"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} frames: use {1}")
    @CsvSource(delimiter = ';', value = {"12; use 16", "17; use 16 or 32", "1; use 16", "33; use 32 or 48"})
    void v1RefusesFrameCountsItsShortcutPoolCannotTake(int frames, String suggestion) {
        InvalidClipException e = assertThrows(InvalidClipException.class,
                () -> ShuffleNet3d.create(ShuffleNetConfig.v1(3, 0.25, 10), new ClipShape(frames, 112, 112)));
        assertTrue(e.getMessage().contains("15, 16, 31, 32"), e.getMessage());
        assertTrue(e.getMessage().contains("got " + frames + " frames"), e.getMessage());
        assertTrue(e.getMessage().endsWith(suggestion), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {15, 16, 31, 32})
    void v1AcceptsFrameCountsWhoseHalfDividesByEight(int frames) {
        ShuffleNet3d model = ShuffleNet3d.create(ShuffleNetConfig.v1(3, 0.25, 10), new ClipShape(frames, 33, 33));
        assertEquals(frames, model.clipShape().frames());
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"32, 33", "33, 32", "16, 16"})
    void v1RefusesFramesSmallerThan33Pixels(int height, int width) {
        InvalidClipException e = assertThrows(InvalidClipException.class,
                () -> ShuffleNet3d.create(ShuffleNetConfig.v1(3, 0.25, 10), new ClipShape(16, height, width)));
        assertTrue(e.getMessage().contains("at least 33x33 pixels"), e.getMessage());
        assertTrue(e.getMessage().contains("got " + height + "x" + width), e.getMessage());
    }

    @Test
    void v1RunsAtTheSmallestAcceptedClip() {
        ShuffleNet3d model = ShuffleNet3d.create(ShuffleNetConfig.v1(3, 0.25, 4), new ClipShape(15, 33, 33));

        INDArray logits = model.output(uniform(3, -1, 1, 2, 3, 15, 33, 33));

        assertArrayEquals(new long[] {2, 4}, logits.shape());
    }

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({"8, 16, 16", "5, 17, 23", "1, 9, 7"})
    void v2RunsAtAnyClipLengthAndOddSizes(int frames, int height, int width) {
        ShuffleNet3d model = ShuffleNet3d.create(ShuffleNetConfig.v2(0.25, 4), new ClipShape(frames, height, width));

        INDArray logits = model.output(uniform(frames, -1, 1, 2, 3, frames, height, width));

        assertArrayEquals(new long[] {2, 4}, logits.shape());
    }

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({"0, 16, 16", "16, 0, 16", "16, 16, -1"})
    void clipShapesMustBePositive(int frames, int height, int width) {
        InvalidClipException e = assertThrows(InvalidClipException.class,
                () -> new ClipShape(frames, height, width));
        assertTrue(e.getMessage().contains(frames + "x" + height + "x" + width), e.getMessage());
    }
}
