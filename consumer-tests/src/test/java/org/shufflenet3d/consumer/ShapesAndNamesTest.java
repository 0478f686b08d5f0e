package org.shufflenet3d.consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.zoo.ShuffleNet3dZooModel;
import org.shufflenet3d.zoo.ShuffleNetV2;

/** The zoo model's input shape and its SameDiff form, as DL4J users reach them. */
class ShapesAndNamesTest {

    @Test
    void setInputShapeTakesClipShapesOnly() {
        ShuffleNetV2 zoo = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(3).build();
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> zoo.setInputShape(new int[][] {{3, 112, 112}}));
        assertEquals("3D models take an input shape of {3, frames, height, width}, such as {3, 16, 112, 112}; got"
                + " [3, 112, 112]", e.getMessage());
        assertArrayEquals(new int[][] {{3, 16, 112, 112}}, zoo.metaData().getInputShape(), "changed by a refused shape");
        assertThrows(InvalidConfigurationException.class, () -> zoo.setInputShape(new int[][] {{3, 4, 16, 16}, {1}}));
        zoo.setInputShape(new int[][] {{3, 4, 16, 16}});
        assertArrayEquals(new int[][] {{3, 4, 16, 16}}, zoo.metaData().getInputShape());
        assertArrayEquals(new long[] {2, 3}, zoo.init().outputSingle(Nd4j.rand(DataType.FLOAT, 2, 3, 4, 16, 16)).shape());
    }

    @Test
    void theSameDiffFormNamesItsOutputsAndFeatures() {
        ShuffleNetV2 zoo = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(3)
                .inputShape(new int[] {3, 4, 16, 16}).build();
        SameDiff sd = zoo.initSameDiff();
        assertEquals(List.of("logits", "probabilities"), sd.outputs());
        INDArray clips = Nd4j.rand(DataType.FLOAT, 2, 3, 4, 16, 16).muli(200).subi(100);
        Map<String, INDArray> outputs = sd.output(Map.of("input", clips), "features", "probabilities");
        ComputationGraph graph = zoo.init();
        INDArray features = graph.feedForward(clips, false).get(ShuffleNet3dZooModel.FEATURES);
        assertArrayEquals(new long[] {2, 1024}, outputs.get("features").shape());
        assertTrue(features.equalsWithEps(outputs.get("features"), 1e-5));
        assertTrue(graph.outputSingle(clips).equalsWithEps(outputs.get("probabilities"), 1e-5));
    }
}
