package org.shufflenet3d.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shufflenet3d.ReferenceOps.assertClose;
import static org.shufflenet3d.ReferenceOps.assertSameValues;
import static org.shufflenet3d.ReferenceOps.avgPool3dCountingPadding;
import static org.shufflenet3d.ReferenceOps.maxPool3d;
import static org.shufflenet3d.ReferenceOps.run;
import static org.shufflenet3d.ReferenceOps.uniform;
import static org.shufflenet3d.ReferenceOps.withBatch;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The stem's MaxPool3d(3, 2, 1) and V1's shortcut AvgPool3d((2,3,3), 2, (0,1,1)) as PyTorch computes them, at
 * sizes with H != W; and the per-sample shapes the builder reports against the shapes the graph produces.
 */
class PoolingTest {

    private static final int N = 2, C = 3;

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({"4, 7, 9", "5, 9, 5", "2, 3, 5", "8, 11, 7"})
    void shortcutAveragePoolCountsThePaddingLikePyTorch(int d, int h, int w) {
        INDArray x = uniform(d * 100L + h * 10L + w, 0.5, 1.5, N, C, d, h, w);
        SameDiff sd = SameDiff.create();
        InferenceForm nb = NetworkBuilder.inference(sd, NetworkBuilder.newVariables(0), DataType.FLOAT);
        nb.output(nb.shortcutAvgPool3d("pool", nb.input("x", C, d, h, w)), "out");

        INDArray y = run(sd, "x", x, "out");

        INDArray expected = avgPool3dCountingPadding(x, new int[] {2, 3, 3}, new int[] {2, 2, 2}, new int[] {0, 1, 1});
        assertClose(expected, y, 1e-6);
    }

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({"5, 7, 9", "4, 9, 5", "1, 3, 5", "16, 8, 6"})
    void maxPoolIgnoresThePadding(int d, int h, int w) {
        INDArray x = uniform(d * 100L + h * 10L + w, -2, -1, N, C, d, h, w);
        SameDiff sd = SameDiff.create();
        InferenceForm nb = NetworkBuilder.inference(sd, NetworkBuilder.newVariables(0), DataType.FLOAT);
        nb.output(nb.maxPool3d("pool", nb.input("x", C, d, h, w)), "out");

        INDArray y = run(sd, "x", x, "out");

        assertTrue(y.maxNumber().doubleValue() < -1, "a padded zero won a window");
        assertSameValues(maxPool3d(x, new int[] {3, 3, 3}, new int[] {2, 2, 2}, new int[] {1, 1, 1}), y);
    }

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({"5, 8, 7", "4, 9, 11", "3, 3, 5", "16, 33, 33"})
    void reportedShapesMatchTheComputedOnes(int d, int h, int w) {
        SameDiff sd = SameDiff.create();
        InferenceForm nb = NetworkBuilder.inference(sd, NetworkBuilder.newVariables(0), DataType.FLOAT);
        Tensor x = nb.input("x", 6, d, h, w);
        Map<String, Tensor> layers = new LinkedHashMap<>();
        layers.put("stem", nb.conv3d("stem", x, 4, 3, new int[] {1, 2, 2}, 1));
        layers.put("unpadded", nb.conv3d("unpadded", x, 4, 3, new int[] {2, 2, 2}, 0));
        layers.put("maxpool", nb.maxPool3d("maxpool", x));
        layers.put("shortcut", nb.shortcutAvgPool3d("shortcut", x));
        layers.put("depthwise1", nb.depthwiseConv3d("depthwise1", x, 1));
        layers.put("depthwise2", nb.depthwiseConv3d("depthwise2", x, 2));
        layers.put("pointwise", nb.pointwiseConv("pointwise", x, 9, 1));
        layers.put("grouped", nb.pointwiseConv("grouped", x, 9, 3));
        layers.forEach((name, tensor) -> nb.output(tensor, name + ".out"));

        Map<String, INDArray> outputs = sd.output(Map.of("x", uniform(5, -1, 1, N, 6, d, h, w)),
                layers.keySet().stream().map(name -> name + ".out").toArray(String[]::new));

        layers.forEach((name, tensor) ->
                assertArrayEquals(outputs.get(name + ".out").shape(), withBatch(N, tensor.shape()), name));
    }
}
