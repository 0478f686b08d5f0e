package org.shufflenet3d;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parameter counts and FLOPs against REFERENCE §1: the seed's exact counts and the paper's MFLOPs. */
class ModelSummaryTest {

    @ParameterizedTest(name = "V1 g={0} {1}x: {2} parameters")
    @CsvSource({
        "3, 0.25, 219486", "3, 0.5, 545772", "3, 1.0, 1521504", "3, 1.5, 2924916", "3, 2.0, 4758888",
        "1, 1.0, 1298937", "2, 1.0, 1447144", "4, 1.0, 1578104", "8, 1.0, 1883472"})
    void shuffleNetV1ParameterCounts(int groups, double width, long expected) {
        ShuffleNetConfig config = ShuffleNetConfig.v1(groups, width, 600);
        assertEquals(expected, ShuffleNet3d.create(config, ClipShape.DEFAULT).summary().totalParameters());
    }

    @ParameterizedTest(name = "V2 {0}x: {1} parameters")
    @CsvSource({"0.25, 829656", "0.5, 976664", "1.0, 1914180", "1.5, 3161880", "2.0, 6639816"})
    void shuffleNetV2ParameterCounts(double width, long expected) {
        ShuffleNetConfig config = ShuffleNetConfig.v2(width, 600);
        assertEquals(expected, ShuffleNet3d.create(config, ClipShape.DEFAULT).summary().totalParameters());
    }

    @ParameterizedTest(name = "{0} {1}x: {2} MFLOPs")
    @CsvSource({
        "shufflenet, 0.5, 78", "shufflenet, 1.0, 199", "shufflenet, 1.5, 347", "shufflenet, 2.0, 538",
        "shufflenetv2, 0.25, 116", "shufflenetv2, 1.0, 195", "shufflenetv2, 1.5, 291", "shufflenetv2, 2.0, 438"})
    void megaFlopsMatchThePaper(String arch, double width, long expectedMflops) {
        Architecture architecture = Architecture.fromReferenceName(arch);
        ShuffleNetConfig config = architecture == Architecture.SHUFFLENET
                ? ShuffleNetConfig.v1(3, width, 600) : ShuffleNetConfig.v2(width, 600);
        ModelSummary summary = ShuffleNet3d.create(config, ClipShape.DEFAULT).summary();
        assertEquals(expectedMflops, Math.round(summary.megaFlops()), summary.toTable());
    }
}
