package org.shufflenet3d.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.shufflenet3d.ReferenceOps.assertClose;
import static org.shufflenet3d.ReferenceOps.blockDiagonal;
import static org.shufflenet3d.ReferenceOps.conv3d;
import static org.shufflenet3d.ReferenceOps.run;
import static org.shufflenet3d.ReferenceOps.uniform;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Conv3d(kernel 1, groups, bias=False) against the plain-Java reference and its dense, block-diagonal form. */
class PointwiseConvTest {

    private static final int N = 2, IN = 6, OUT = 12, D = 3, H = 5, W = 7;
    private static final int[] UNIT_STRIDE = {1, 1, 1};
    private static final int[] NO_PADDING = {0, 0, 0};
    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest(name = "groups={0}")
    @ValueSource(ints = {1, 2, 3})
    void matchesTheReferenceGroupedConvolution(int groups) {
        INDArray x = uniform(10 + groups, -1, 1, N, IN, D, H, W);
        INDArray weight = uniform(20 + groups, -1, 1, OUT, IN / groups, 1, 1, 1);

        INDArray y = pointwise(x, weight, groups);

        assertClose(conv3d(x, weight, UNIT_STRIDE, NO_PADDING, groups), y, TOLERANCE);
    }

    @ParameterizedTest(name = "groups={0}")
    @ValueSource(ints = {1, 2, 3})
    void equalsADenseConvolutionWithBlockDiagonalWeights(int groups) {
        INDArray x = uniform(30 + groups, -1, 1, N, IN, D, H, W);
        INDArray weight = uniform(40 + groups, -1, 1, OUT, IN / groups, 1, 1, 1);
        INDArray dense = blockDiagonal(weight, groups);

        INDArray grouped = pointwise(x, weight, groups);

        assertClose(conv3d(x, dense, UNIT_STRIDE, NO_PADDING, 1), grouped, TOLERANCE);
        assertClose(pointwise(x, dense, 1), grouped, TOLERANCE);
    }

    @ParameterizedTest(name = "groups={0}")
    @ValueSource(ints = {1, 2, 3})
    void declaresTheWeightInPyTorchLayout(int groups) {
        SameDiff sd = SameDiff.create();
        InferenceForm nb = NetworkBuilder.inference(sd, NetworkBuilder.newVariables(0), DataType.FLOAT);

        Tensor y = nb.pointwiseConv("pw", nb.input("x", IN, D, H, W), OUT, groups);

        assertArrayEquals(new long[] {OUT, IN / groups, 1, 1, 1}, sd.getVariable("pw.weight").getArr().shape());
        assertArrayEquals(new long[] {OUT, D, H, W}, y.shape());
    }

    private static INDArray pointwise(INDArray x, INDArray weight, int groups) {
        SameDiff sd = SameDiff.create();
        InferenceForm nb = NetworkBuilder.inference(sd, NetworkBuilder.newVariables(0), DataType.FLOAT);
        nb.output(nb.pointwiseConv("pw", nb.input("x", IN, D, H, W), OUT, groups), "out");
        sd.getVariable("pw.weight").getArr().assign(weight);
        return run(sd, "x", x, "out");
    }
}
