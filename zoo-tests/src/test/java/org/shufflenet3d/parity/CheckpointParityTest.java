package org.shufflenet3d.parity;

import static java.util.stream.Collectors.toSet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.StateDicts;
import org.shufflenet3d.io.NumpyFiles;
import org.shufflenet3d.io.TorchCheckpoint;

/**
 * PyTorch checkpoints written by the reference code, legacy and zip, with the reference's dict or a bare
 * state_dict, tensors sharing storages at offsets and strides, float64 and float16: read in Java, they give the
 * reference's logits.
 */
class CheckpointParityTest {

    static Stream<Arguments> checkpoints() {
        return ReferenceCase.all().stream().filter(c -> !c.checkpoints().isEmpty())
                .flatMap(c -> c.checkpoints().stream().map(k -> Arguments.of(c, k)));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("checkpoints")
    void checkpointGivesTheReferenceLogits(ReferenceCase c, ReferenceCase.Checkpoint checkpoint) throws IOException {
        TorchCheckpoint read = TorchCheckpoint.read(ReferenceCase.DIRECTORY.resolve(checkpoint.file()));
        assertEquals(c.config(), StateDicts.inferConfig(read.stateDict()).orElseThrow());
        read.arch().ifPresent(arch -> assertEquals(c.arch(), arch));

        ShuffleNet3d model = ShuffleNet3d.create(c.config(), c.clip());
        model.loadWeights(read.stateDict());
        Map<String, INDArray> arrays = NumpyFiles.readNpz(c.arrays());
        INDArray expected = arrays.get(checkpoint.logits());
        INDArray actual = model.output(arrays.get("input"));
        assertArrayEquals(expected.shape(), actual.shape());
        double tolerance = 1e-4 * Math.max(1, expected.amaxNumber().doubleValue());
        double error = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(error <= tolerance, checkpoint + ": max |Δ| " + error + " > " + tolerance);
    }

    @Test
    void fixturesHoldBothFormatsForBothArchitectures() {
        List<ReferenceCase.Checkpoint> all = ReferenceCase.all().stream().flatMap(c -> c.checkpoints().stream())
                .toList();
        assertEquals(Set.of("legacy", "zip"), all.stream().map(ReferenceCase.Checkpoint::format).collect(toSet()));
        assertEquals(Set.of("shufflenet", "shufflenetv2"), ReferenceCase.all().stream()
                .filter(c -> !c.checkpoints().isEmpty()).map(ReferenceCase::arch).collect(toSet()));
    }
}
