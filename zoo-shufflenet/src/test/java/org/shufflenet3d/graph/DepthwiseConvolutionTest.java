package org.shufflenet3d.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.shufflenet3d.ReferenceOps.assertClose;
import static org.shufflenet3d.ReferenceOps.blockDiagonal;
import static org.shufflenet3d.ReferenceOps.conv3d;
import static org.shufflenet3d.ReferenceOps.run;
import static org.shufflenet3d.ReferenceOps.uniform;
import static org.shufflenet3d.ReferenceOps.withBatch;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Conv3d(C, C, 3, stride, padding 1, groups=C), as the builder declares it from 2D depthwise convolutions per
 * temporal tap, equals a dense convolution whose weight is zero off the channel diagonal, at odd, even and tiny sizes.
 */
class DepthwiseConvolutionTest {

    private static final double TOLERANCE = 1e-5;

    /** Input [N, C, D, H, W] and stride. */
    private record Case(int n, int c, int d, int h, int w, int stride) {
        @Override
        public String toString() {
            return n + "x" + c + "x" + d + "x" + h + "x" + w + " stride " + stride;
        }
    }

    private static final Case[] CASES = {
        new Case(2, 5, 7, 9, 11, 1),
        new Case(2, 5, 7, 9, 11, 2),
        new Case(2, 3, 4, 6, 8, 2),
        new Case(1, 4, 1, 3, 3, 1),
        new Case(1, 4, 1, 3, 3, 2),
        new Case(2, 3, 2, 3, 5, 2),
        new Case(1, 3, 1, 1, 1, 1),
        new Case(1, 3, 1, 1, 1, 2),
    };

    static Stream<Case> cases() {
        return Stream.of(CASES);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void equalsADenseConvolutionWithDiagonalWeights(Case c) {
        long seed = c.toString().hashCode();
        INDArray x = uniform(seed, -1, 1, c.n, c.c, c.d, c.h, c.w);
        INDArray weight = uniform(seed + 1, -1, 1, c.c, 1, 3, 3, 3);
        SameDiff sd = SameDiff.create();
        InferenceForm nb = NetworkBuilder.inference(sd, NetworkBuilder.newVariables(0), DataType.FLOAT);
        Tensor y = nb.depthwiseConv3d("dw", nb.input("x", c.c, c.d, c.h, c.w), c.stride);
        nb.output(y, "out");
        sd.getVariable("dw.weight").getArr().assign(weight);

        INDArray actual = run(sd, "x", x, "out");

        int[] stride = {c.stride, c.stride, c.stride};
        INDArray expected = conv3d(x, blockDiagonal(weight, c.c), stride, new int[] {1, 1, 1}, 1);
        assertClose(expected, actual, TOLERANCE);
        assertArrayEquals(actual.shape(), withBatch(c.n, y.shape()), "shape the builder reports");
    }
}
