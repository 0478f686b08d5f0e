package org.shufflenet3d.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shufflenet3d.video.FrameOpsTest.assertMessage;
import static org.shufflenet3d.video.TransformFixtures.ints;
import static org.shufflenet3d.video.TransformFixtures.param;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.shade.jackson.databind.JsonNode;

/** Frame indices equal to the reference's temporal transforms and clip lists (0-based), for short and long videos. */
class TemporalSamplingTest {

    static Stream<Arguments> centerCases() {
        return TransformFixtures.cases("temporal_center");
    }

    static Stream<Arguments> beginningCases() {
        return Stream.concat(TransformFixtures.cases("temporal_begin"), TransformFixtures.cases("temporal_loop"));
    }

    static Stream<Arguments> atCases() {
        return TransformFixtures.cases("temporal_at");
    }

    static Stream<Arguments> randomRangeCases() {
        return TransformFixtures.cases("temporal_random_range");
    }

    static Stream<Arguments> testClipCases() {
        return TransformFixtures.cases("test_clips");
    }

    static Stream<Arguments> validationClipCases() {
        return TransformFixtures.cases("validation_clips");
    }

    private static TemporalSampling sampling(JsonNode testCase) {
        return new TemporalSampling(param(testCase, "size"), param(testCase, "downsample"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("centerCases")
    void centerEqualsTemporalCenterCrop(JsonNode testCase) {
        assertArrayEquals(ints(testCase.get("indices")), sampling(testCase).center(param(testCase, "n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("beginningCases")
    void beginningEqualsTemporalBeginCropAndLoopPadding(JsonNode testCase) {
        assertArrayEquals(ints(testCase.get("indices")), sampling(testCase).beginning(param(testCase, "n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("atCases")
    void aWindowAtABeginEqualsTheReferencesCrop(JsonNode testCase) {
        assertArrayEquals(ints(testCase.get("indices")),
                sampling(testCase).at(param(testCase, "n"), param(testCase, "begin")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("randomRangeCases")
    void randomBeginsCoverExactlyTheReferencesRange(JsonNode testCase) {
        TemporalSampling sampling = sampling(testCase);
        int n = param(testCase, "n");
        int last = testCase.get("last_begin").asInt();
        assertEquals(last, sampling.lastRandomBegin(n));

        SplittableRandom random = new SplittableRandom(n);
        Set<Integer> firstFrames = new HashSet<>();
        for (int i = 0; i < 50 * (last + 1); i++) {
            int[] clip = sampling.random(n, random);
            firstFrames.add(clip[0]);
            assertArrayEquals(sampling.at(n, clip[0]), clip);
        }
        assertEquals(last + 1, firstFrames.size(), "every begin from 0 to " + last + " drawn");
        assertTrue(firstFrames.stream().allMatch(b -> b >= 0 && b <= last));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("testClipCases")
    void consecutiveClipsEqualTheReferencesTestClips(JsonNode testCase) {
        assertClips(testCase.get("clips"), sampling(testCase).consecutiveClips(param(testCase, "n")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validationClipCases")
    void evenlySpacedClipsEqualTheReferencesValidationClips(JsonNode testCase) {
        assertClips(testCase.get("clips"),
                sampling(testCase).evenlySpacedClips(param(testCase, "n"), param(testCase, "k")));
    }

    private static void assertClips(JsonNode expected, List<int[]> actual) {
        List<int[]> clips = new ArrayList<>();
        expected.forEach(clip -> clips.add(ints(clip)));
        assertEquals(clips.size(), actual.size(), "clips");
        for (int i = 0; i < clips.size(); i++) {
            assertArrayEquals(clips.get(i), actual.get(i), "clip " + i);
        }
    }

    @Test
    void aSingleFrameVideoGivesOneLoopedClip() {
        TemporalSampling sampling = new TemporalSampling(4, 2);

        assertEquals(1, sampling.consecutiveClips(1).size());
        assertArrayEquals(new int[4], sampling.consecutiveClips(1).get(0));
        assertArrayEquals(new int[4], sampling.evenlySpacedClips(1, 3).get(0));
        assertArrayEquals(new int[4], sampling.evenlySpacedClips(1, 1).get(0));
    }

    @Test
    void oneValidationClipIsTheCentreClip() {
        TemporalSampling sampling = TemporalSampling.DEFAULT;

        assertArrayEquals(sampling.center(40), sampling.evenlySpacedClips(40, 1).get(0));
    }

    @Test
    void loopingIsReportedForVideosShorterThanAClip() {
        TemporalSampling sampling = new TemporalSampling(16, 2);

        assertTrue(sampling.loops(31));
        assertFalse(sampling.loops(32));
        assertEquals(32, sampling.duration());
        assertArrayEquals(new int[] {0, 2, 4, 6, 8, 0, 2, 4, 6, 8, 0, 2, 4, 6, 8, 0}, sampling.beginning(10));
    }

    @Test
    void invalidSettingsAndVideosAreRefused() {
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new TemporalSampling(0, 1)), "size 0");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> new TemporalSampling(16, 0)),
                "stride must be at least 1");
        TemporalSampling sampling = TemporalSampling.DEFAULT;
        assertMessage(assertThrows(IllegalArgumentException.class, () -> sampling.center(0)), "at least 1 frame");
        assertMessage(assertThrows(IllegalArgumentException.class,
                () -> sampling.random(-3, new SplittableRandom(1))), "got -3");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> sampling.at(10, 10)), "from 0 to 9");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> sampling.evenlySpacedClips(10, 0)),
                "at least 1, got 0");
    }

    @Test
    void clipsCutFromFramesAsTheyArriveAreTheConsecutiveClips() {
        for (int size : new int[] {1, 2, 3, 8}) {
            for (int downsample : new int[] {1, 2, 3}) {
                TemporalSampling sampling = new TemporalSampling(size, downsample);
                for (int frameCount = 0; frameCount <= 3 * sampling.duration() + 2; frameCount++) {
                    List<int[]> expected = frameCount == 0 ? List.of() : sampling.consecutiveClips(frameCount);
                    List<List<Integer>> streamed = new ArrayList<>();
                    int count = sampling.consecutiveClips(IntStream.range(0, frameCount).iterator(), streamed::add);

                    String label = sampling + ", " + frameCount + " frames";
                    assertEquals(frameCount, count, label);
                    assertEquals(expected.size(), streamed.size(), label);
                    for (int c = 0; c < expected.size(); c++) {
                        assertArrayEquals(expected.get(c), streamed.get(c).stream().mapToInt(i -> i).toArray(),
                                label + ", clip " + c);
                    }
                }
            }
        }
    }
}
