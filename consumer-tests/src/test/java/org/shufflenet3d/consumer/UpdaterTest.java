package org.shufflenet3d.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.shufflenet3d.train.SgdOptimizer;
import org.shufflenet3d.zoo.MomentumSgd;
import org.shufflenet3d.zoo.ShuffleNet3dZooModel;
import org.shufflenet3d.zoo.ShuffleNetFeaturesLayer;
import org.shufflenet3d.zoo.ShuffleNetV2;

/** The zoo builders' default updater learns, and the reference's optimiser runs in the graph as PyTorch's does. */
class UpdaterTest {

    private static final int CLASSES = 5;
    private static final int FRAMES = 16;
    private static final int SIZE = 32;

    @TempDir
    Path dir;

    @Test
    void theDefaultIsAdamWithoutWeightDecay() {
        ShuffleNetV2 zoo = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(3)
                .inputShape(new int[] {3, 2, 12, 12}).build();
        assertEquals(new Adam(1e-3), zoo.updater());
        assertEquals(0.0, zoo.weightDecay());
        ComputationGraph graph = zoo.init();
        for (String name : List.of(ShuffleNet3dZooModel.FEATURES, ShuffleNet3dZooModel.CLASSIFIER)) {
            Layer layer = graph.getLayer(name).conf().getLayer();
            assertEquals(new Adam(1e-3), layer.getUpdaterByParam(name.equals(ShuffleNet3dZooModel.FEATURES)
                    ? ShuffleNetFeaturesLayer.PARAMETERS : "W"), name);
        }
        assertEquals(new NoOp(), graph.getLayer(ShuffleNet3dZooModel.FEATURES).conf().getLayer()
                .getUpdaterByParam(ShuffleNetFeaturesLayer.STATISTICS), "the running statistics are not trained");
        assertTrue(((BaseLayer) graph.getLayer(ShuffleNet3dZooModel.CLASSIFIER).conf().getLayer())
                .getRegularization().isEmpty());
    }

    /**
     * Which fifth of the clip's frames is bright, from freshly initialised weights, through graph.fit with the
     * builder's defaults; pixels have a standard deviation of 30, as the reference's inputs about do. Batch norm
     * trains on the batch's statistics, as PyTorch's does, so the clips are large enough for the last stage to see
     * more than one position per clip: on 10x16x16 clips in batches of 4, the reference in PyTorch stays at 30%
     * accuracy in eval mode after 15 epochs, as this graph does.
     */
    @Test
    void theDefaultLearnsFromScratch() {
        Nd4j.getRandom().setSeed(1);
        int clips = 40;
        int batch = 8;
        INDArray x = Nd4j.randn(DataType.FLOAT, clips, 3, FRAMES, SIZE, SIZE).muli(30);
        INDArray y = Nd4j.zeros(DataType.FLOAT, clips, CLASSES);
        for (int i = 0; i < clips; i++) {
            int label = i % CLASSES;
            y.putScalar(i, label, 1f);
            x.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.interval(2 * label, 2 * label + 2)).addi(100);
        }
        ComputationGraph graph = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(CLASSES)
                .inputShape(new int[] {3, FRAMES, SIZE, SIZE}).build().init();
        double accuracy = 0;
        int epochs = 0;
        while (epochs < 25 && accuracy < 0.95) {
            for (int start = 0; start < clips; start += batch) {
                graph.fit(new DataSet(x.get(NDArrayIndex.interval(start, start + batch)),
                        y.get(NDArrayIndex.interval(start, start + batch))));
            }
            epochs++;
            accuracy = graph.outputSingle(x).argMax(1).eq(y.argMax(1)).castTo(DataType.DOUBLE).meanNumber()
                    .doubleValue();
        }
        assertTrue(accuracy >= 0.95, "accuracy " + accuracy + " after " + epochs + " epochs");
    }

    /** A graph saved with its MomentumSgd state and restored goes on as the one that was not saved. */
    @Test
    void theReferencesOptimiserSurvivesModelSerializer() throws IOException {
        ComputationGraph graph = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(2)
                .inputShape(new int[] {3, 2, 12, 12}).updater(MomentumSgd.reference()).weightDecay(1e-3).dropout(0)
                .build().init();
        DataSet batch = new DataSet(Nd4j.rand(DataType.FLOAT, 2, 3, 2, 12, 12).muli(200).subi(100),
                Nd4j.eye(2).castTo(DataType.FLOAT));
        graph.fit(batch);
        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        assertEquals(MomentumSgd.reference(), ((BaseLayer) restored.getLayer(ShuffleNet3dZooModel.CLASSIFIER).conf()
                .getLayer()).getIUpdater());
        graph.fit(batch);
        restored.fit(batch);
        assertTrue(graph.params().equalsWithEps(restored.params(), 1e-6));
    }

    /**
     * Three steps of the classifier (features frozen, no dropout) with the reference's optimiser and weight decay
     * equal three steps of the library's torch.optim.SGD on the same gradients: momentum with dampening, and the
     * weight decay on weights and biases before it.
     */
    @Test
    void theReferencesOptimiserStepsAsTorchDoes() {
        ComputationGraph graph = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(3)
                .inputShape(new int[] {3, 2, 12, 12}).updater(MomentumSgd.reference()).weightDecay(1e-3).dropout(0)
                .build().init();
        Layer featuresLayer = graph.getLayer(ShuffleNet3dZooModel.FEATURES).conf().getLayer();
        assertEquals(List.of(new L2Regularization(1e-3)),
                featuresLayer.getRegularizationByParam(ShuffleNetFeaturesLayer.PARAMETERS));
        assertTrue(featuresLayer.getRegularizationByParam(ShuffleNetFeaturesLayer.STATISTICS).isEmpty());
        ComputationGraph classifierOnly = new TransferLearning.GraphBuilder(graph)
                .setFeatureExtractor(ShuffleNet3dZooModel.FEATURES).build();
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 2, 12, 12).muli(200).subi(100);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 3);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % 3, 1f);
        }
        INDArray features = classifierOnly.feedForward(x, false).get(ShuffleNet3dZooModel.FEATURES).dup();
        Map<String, INDArray> expected = new HashMap<>();
        expected.put("W", classifierOnly.getLayer(ShuffleNet3dZooModel.CLASSIFIER).getParam("W").dup());
        expected.put("b", classifierOnly.getLayer(ShuffleNet3dZooModel.CLASSIFIER).getParam("b").dup());
        SgdOptimizer torch = SgdOptimizer.reference();
        for (int step = 0; step < 3; step++) {
            INDArray probabilities = Transforms.softmax(features.mmul(expected.get("W")).addiRowVector(expected.get("b")));
            INDArray error = probabilities.sub(y).divi(4);
            torch.step(expected, Map.of("W", features.transpose().mmul(error), "b", error.sum(0)),
                    MomentumSgd.REFERENCE_LEARNING_RATE);
            classifierOnly.fit(new DataSet(x, y));
        }
        for (String name : List.of("W", "b")) {
            INDArray actual = classifierOnly.getLayer(ShuffleNet3dZooModel.CLASSIFIER).getParam(name);
            assertTrue(expected.get(name).equalsWithEps(actual, 1e-5), name + "\n" + expected.get(name) + "\n" + actual);
        }
    }
}
