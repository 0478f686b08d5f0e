package org.shufflenet3d.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shufflenet3d.ShuffleNetConfig;

/** {@code benchmark --compare}'s result lines and table, without running a benchmark. */
class ReferenceComparisonTest {

    @Test
    void resultLinesRoundTrip() {
        for (String line : List.of("eval\tshufflenetv2:1.0\t8\t131.037", "train\tshufflenet:3:1.0\t8\t431.296",
                "memory\tshufflenetv2:0.25\t529.500", "memory\tshufflenetv2:1.0\t342.000\t5870.000")) {
            assertEquals(line, ReferenceComparison.Result.parse(line).format());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"eval\tshufflenetv2:1.0\t8", "eval\tshufflenetv2:1.0\teight\t131", "memory\tv2",
        "latency\tshufflenetv2:1.0\t8\t131", "eval shufflenetv2:1.0 8 131"})
    void unreadableLinesAreRefusedWithTheExpectedForm(String line) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReferenceComparison.Result.parse(line));
        assertTrue(e.getMessage().contains("expected 'eval|train <model> <batch> <ms>'"), e.getMessage());
    }

    @Test
    void keysAndLabelsNameTheModelsAsTheReferenceScriptDoes() {
        assertEquals("shufflenet:3:1.0", ReferenceComparison.key(ShuffleNetConfig.v1(3, 1.0, 600)));
        assertEquals("shufflenetv2:0.25", ReferenceComparison.key(ShuffleNetConfig.v2(0.25, 600)));
        assertEquals("V1 g=3 1.0x", ReferenceComparison.label("shufflenet:3:1.0"));
        assertEquals("V2 0.25x", ReferenceComparison.label("shufflenetv2:0.25"));
    }

    @Test
    void tableGivesClipsPerSecondAndPyTorchsTimeOverJavas() {
        List<ReferenceComparison.Result> java = parse("eval\tshufflenetv2:1.0\t8\t200", "train\tshufflenetv2:1.0\t8\t1000",
                "memory\tshufflenetv2:1.0\t300\t2000");
        List<ReferenceComparison.Result> torch = parse("eval\tshufflenetv2:1.0\t8\t100", "train\tshufflenetv2:1.0\t8\t250",
                "memory\tshufflenetv2:1.0\t560");

        String[] lines = ReferenceComparison.table(java, torch).split("\n");

        assertEquals(List.of("V2", "1.0x", "8", "200.0", "40.00", "100.0", "80.00", "0.50"), words(lines[1]));
        assertEquals(List.of("V2", "1.0x", "8", "1000.0", "250.0", "0.25"), words(lines[3]));
        assertEquals(List.of("V2", "1.0x", "300", "2000", "560", "0.54"), words(lines[5]));
    }

    @Test
    void tableWithoutPyTorchShowsDashes() {
        String[] lines = ReferenceComparison.table(parse("eval\tshufflenet:3:1.0\t1\t50"), List.of()).split("\n");

        assertEquals(List.of("V1", "g=3", "1.0x", "1", "50.0", "20.00", "-", "-", "-"), words(lines[1]));
    }

    private static List<ReferenceComparison.Result> parse(String... lines) {
        return List.of(lines).stream().map(ReferenceComparison.Result::parse).toList();
    }

    private static List<String> words(String line) {
        return List.of(line.trim().split(" +"));
    }
}
