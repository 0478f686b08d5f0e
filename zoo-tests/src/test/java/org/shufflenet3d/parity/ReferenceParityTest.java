package org.shufflenet3d.parity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.StateDicts;
import org.shufflenet3d.io.NumpyFiles;

/**
 * Eval-mode logits equal the reference PyTorch code's (computed there in float64) for every configuration in
 * the fixtures, and features and feature maps for a subset of them: max |Δ| ≤ 1e-4 × max(1, max |y|). The generator's float32 PyTorch run stays within 31% of that.
 */
class ReferenceParityTest {

    private static final Path FEATURES = Paths.get("src/test/resources/fixtures/features");

    static List<ReferenceCase> cases() {
        return ReferenceCase.all();
    }

    static List<ReferenceCase> fullWeightCases() {
        return cases().stream().filter(ReferenceCase::fullWeights).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void logitsMatchTheReference(ReferenceCase c) throws IOException {
        Map<String, INDArray> arrays = NumpyFiles.readNpz(c.arrays());
        Map<String, INDArray> stateDict = stateDict(c, arrays);
        ShuffleNet3d model = ShuffleNet3d.create(c.config(), c.clip());
        model.loadWeights(stateDict);
        assertEquals(c.config(), StateDicts.inferConfig(stateDict).orElseThrow(), "configuration read from weights");
        assertClose(arrays.get("logits"), model.output(arrays.get("input")));
    }

    static List<ReferenceCase> featureCases() throws IOException {
        try (var files = Files.list(FEATURES)) {
            List<String> names = files.map(file -> file.getFileName().toString().replace(".npz", "")).toList();
            return cases().stream().filter(c -> names.contains(c.name())).toList();
        }
    }

    /**
     * The pooled features and the last feature map equal the reference modules' (V1's layer3, V2's conv_last),
     * from a whole batch and from each clip alone.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("featureCases")
    void featuresAndFeatureMapMatchTheReference(ReferenceCase c) throws IOException {
        Map<String, INDArray> arrays = NumpyFiles.readNpz(c.arrays());
        Map<String, INDArray> expected = NumpyFiles.readNpz(FEATURES.resolve(c.name() + ".npz"));
        ShuffleNet3d model = ShuffleNet3d.create(c.config(), c.clip());
        model.loadWeights(stateDict(c, arrays));
        INDArray input = arrays.get("input");
        assertClose(expected.get("features"), model.features(input));
        assertClose(expected.get("feature_map"), model.featureMap(input));
        for (int i = 0; i < input.size(0); i++) {
            INDArray clip = input.get(NDArrayIndex.interval(i, i + 1));
            assertClose(expected.get("features").get(NDArrayIndex.interval(i, i + 1)), model.features(clip));
        }
    }

    @Test
    void featureFixturesCoverBothNetworksAndBothFeatureWidthsOfV2() throws IOException {
        List<ReferenceCase> covered = featureCases();
        assertTrue(covered.stream().anyMatch(c -> c.arch().equals("shufflenet")));
        assertTrue(covered.stream().anyMatch(c -> c.arch().equals("shufflenetv2") && c.width() == 2.0));
        assertTrue(covered.stream().anyMatch(c -> c.arch().equals("shufflenetv2") && c.width() < 2.0));
        assertTrue(covered.stream().anyMatch(c -> c.batch() > 1));
    }

    /** A case's state_dict: the stored entries, and the seeded ones generated as the fixture generator did. */
    private static Map<String, INDArray> stateDict(ReferenceCase c, Map<String, INDArray> arrays) {
        Map<String, INDArray> stateDict = new HashMap<>(arrays);
        stateDict.keySet().removeIf(name -> name.equals("input") || name.startsWith("logits"));
        ShuffleNet3d.create(c.config(), c.clip()).weights().forEach((name, initial) -> {
            if (SeededWeights.isSeeded(name, initial.shape())) {
                assertFalse(arrays.containsKey(name), name + " is stored and seeded");
                stateDict.put(name, SeededWeights.generate(name, initial.shape(), c.seed()));
            }
        });
        return stateDict;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fullWeightCases")
    void logitsMatchFromACompleteWeightFile(ReferenceCase c) throws IOException {
        Map<String, INDArray> arrays = NumpyFiles.readNpz(c.arrays());
        ShuffleNet3d model = ShuffleNet3d.create(c.config(), c.clip());
        model.loadWeights(NumpyFiles.readNpz(c.weights()));
        assertClose(arrays.get("logits"), model.output(arrays.get("input")));
    }

    @Test
    void seededWeightsAreTheGeneratorsBitForBit() {
        INDArray w = SeededWeights.generate("conv1.0.weight", new long[] {24, 3, 3, 3, 3}, 7);
        float[] first = {w.getFloat(0), w.getFloat(1), w.getFloat(2), w.getFloat(3)};
        assertArrayEquals(new int[] {0xbdd1b0e7, 0x3c63db72, 0x3cf5d980, 0x3bd2ef1c},
                new int[] {Float.floatToIntBits(first[0]), Float.floatToIntBits(first[1]),
                    Float.floatToIntBits(first[2]), Float.floatToIntBits(first[3])});
    }

    @Test
    void fixturesCoverEveryValidV1PairAndEveryV2Width() {
        List<ReferenceCase> all = cases();
        assertEquals(16, all.stream().filter(c -> c.arch().equals("shufflenet")).map(c -> c.groups() + "/" + c.width())
                .distinct().count());
        assertEquals(5, all.stream().filter(c -> c.arch().equals("shufflenetv2")).map(ReferenceCase::width)
                .distinct().count());
        assertTrue(all.stream().anyMatch(c -> c.batch() > 1));
        assertTrue(all.stream().anyMatch(c -> c.height() != c.widthPx()));
        assertTrue(all.stream().anyMatch(c -> c.arch().equals("shufflenetv2") && c.frames() != 16));
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        double error = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(error <= 1e-4 * scale, "max |Δ| = " + error + " > " + 1e-4 * scale + "\nexpected " + expected
                + "\nactual   " + actual);
    }
}
