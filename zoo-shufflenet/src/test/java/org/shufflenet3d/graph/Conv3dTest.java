package org.shufflenet3d.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.shufflenet3d.ReferenceOps.assertClose;
import static org.shufflenet3d.ReferenceOps.conv3d;
import static org.shufflenet3d.ReferenceOps.run;
import static org.shufflenet3d.ReferenceOps.uniform;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Conv3d(bias=False) with PyTorch-layout weights against the plain-Java reference. */
class Conv3dTest {

    private static final int N = 2, IN = 3, OUT = 4, D = 5, H = 9, W = 7;

    @ParameterizedTest(name = "kernel {0}, stride ({1},{2},{3}), padding {4}")
    @CsvSource({"3, 1, 2, 2, 1", "3, 1, 1, 1, 1", "3, 2, 2, 2, 0", "1, 1, 1, 1, 0"})
    void matchesTheReferenceConvolution(int kernel, int sd0, int sh, int sw, int padding) {
        int[] stride = {sd0, sh, sw};
        INDArray x = uniform(kernel + 7L * sh + 3L * padding, -1, 1, N, IN, D, H, W);
        INDArray weight = uniform(99, -1, 1, OUT, IN, kernel, kernel, kernel);
        SameDiff sd = SameDiff.create();
        InferenceForm nb = NetworkBuilder.inference(sd, NetworkBuilder.newVariables(0), DataType.FLOAT);
        nb.output(nb.conv3d("conv", nb.input("x", IN, D, H, W), OUT, kernel, stride, padding), "out");
        assertArrayEquals(weight.shape(), sd.getVariable("conv.weight").getArr().shape(), "PyTorch weight layout");
        sd.getVariable("conv.weight").getArr().assign(weight);

        INDArray y = run(sd, "x", x, "out");

        assertClose(conv3d(x, weight, stride, new int[] {padding, padding, padding}, 1), y, 1e-5);
    }
}
