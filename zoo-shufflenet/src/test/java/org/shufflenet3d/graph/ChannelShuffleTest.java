package org.shufflenet3d.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.shufflenet3d.ReferenceOps.assertSameValues;
import static org.shufflenet3d.ReferenceOps.run;
import static org.shufflenet3d.ReferenceOps.uniform;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The reference's channel_shuffle: view [N,g,C/g,D,H,W], permute(0,2,1,...), view [N,C,D,H,W]. Output channel
 * i*g + j is input channel j*(C/g) + i.
 */
class ChannelShuffleTest {

    private static final int N = 2, C = 6, D = 3, H = 5, W = 7;

    @ParameterizedTest(name = "C=6, g={0}: output channels come from {1}")
    @CsvSource(delimiter = ';', value = {
        "1; 0 1 2 3 4 5",
        "2; 0 3 1 4 2 5",
        "3; 0 2 4 1 3 5",
        "6; 0 1 2 3 4 5"})
    void permutesChannelsLikeTheReference(int groups, String sources) {
        int[] source = Arrays.stream(sources.split(" ")).mapToInt(Integer::parseInt).toArray();
        for (int i = 0; i < C / groups; i++) {
            for (int j = 0; j < groups; j++) {
                assertEquals(j * (C / groups) + i, source[i * groups + j], "hand-written permutation");
            }
        }
        INDArray x = uniform(1, -1, 1, N, C, D, H, W);

        INDArray y = shuffle(x, groups, 1);

        assertSameValues(pickChannels(x, source), y);
    }

    @Test
    void shufflingByGroupsThenByChannelsPerGroupRestoresTheOrder() {
        INDArray x = uniform(2, -1, 1, N, C, D, H, W);

        assertSameValues(x, shuffle(x, 2, 3));
        assertSameValues(x, shuffle(x, 3, 2));
    }

    @Test
    void keepsTheShape() {
        SameDiff sd = SameDiff.create();
        InferenceForm nb = NetworkBuilder.inference(sd, NetworkBuilder.newVariables(0), DataType.FLOAT);

        Tensor y = nb.channelShuffle(nb.input("x", C, D, H, W), 3);

        assertArrayEquals(new long[] {C, D, H, W}, y.shape());
    }

    @Test
    void concatAndShuffleIsConcatThenShuffleByTwo() {
        INDArray x = uniform(3, -1, 1, N, C, D, H, W);
        SameDiff sd = SameDiff.create();
        InferenceForm nb = NetworkBuilder.inference(sd, NetworkBuilder.newVariables(0), DataType.FLOAT);
        Tensor in = nb.input("x", C, D, H, W);
        Tensor[] halves = nb.splitChannelsInHalf(in);
        nb.output(nb.channelShuffle(nb.concatChannels(halves[1], halves[0]), 2), "expected");
        Tensor fused = nb.concatAndShuffleChannels(halves[1], halves[0]);
        nb.output(fused, "fused");

        assertArrayEquals(new long[] {C, D, H, W}, fused.shape());
        assertSameValues(run(sd, "x", x, "expected"), run(sd, "x", x, "fused"));
        assertSameValues(pickChannels(x, new int[] {3, 0, 4, 1, 5, 2}), run(sd, "x", x, "fused"));
    }

    /** Channel shuffles with the given groups, one after the other. */
    private static INDArray shuffle(INDArray x, int... groups) {
        SameDiff sd = SameDiff.create();
        InferenceForm nb = NetworkBuilder.inference(sd, NetworkBuilder.newVariables(0), DataType.FLOAT);
        Tensor y = nb.input("x", C, D, H, W);
        for (int g : groups) {
            y = nb.channelShuffle(y, g);
        }
        nb.output(y, "out");
        return run(sd, "x", x, "out");
    }

    private static INDArray pickChannels(INDArray x, int[] source) {
        INDArray out = x.dup();
        for (int c = 0; c < source.length; c++) {
            out.get(NDArrayIndex.all(), NDArrayIndex.point(c)).assign(
                    x.get(NDArrayIndex.all(), NDArrayIndex.point(source[c])));
        }
        return out;
    }
}
