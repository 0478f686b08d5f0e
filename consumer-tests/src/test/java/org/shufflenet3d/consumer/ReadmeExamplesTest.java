package org.shufflenet3d.consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.deeplearning4j.parallelism.ParallelInference;
import org.deeplearning4j.parallelism.inference.InferenceMode;
import org.deeplearning4j.zoo.util.ClassPrediction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.data.ClipDataSetIterator;
import org.shufflenet3d.data.ClipNormalizer;
import org.shufflenet3d.data.LabeledClips;
import org.shufflenet3d.data.SyntheticMotion;
import org.shufflenet3d.zoo.MomentumSgd;
import org.shufflenet3d.zoo.ReferenceCheckpoint;
import org.shufflenet3d.zoo.ShuffleNet3dZooModel;
import org.shufflenet3d.zoo.ShuffleNetV2;

/**
 * The snippets of the README's "Using it in a DL4J project" and of docs/dl4j.md, run as they are written there
 * (ReadmeSnippetsTest checks that each one appears here line for line), with what they promise checked around them.
 */
class ReadmeExamplesTest {

    @TempDir
    Path dir;

    @BeforeEach
    void useTemporaryResourceDirectory() throws IOException {
        DL4JResources.setBaseDirectory(Files.createDirectories(dir.resolve("dl4j")).toFile());
    }

    @AfterEach
    void restoreResourceDirectory() {
        DL4JResources.resetBaseDirectoryLocation();
    }

    @Test
    void trainingOnBatchesOfClips() {
        ClipShape shape = new ClipShape(8, 24, 24);                         // frames, height, width
        LabeledClips trainClips = new SyntheticMotion(32, shape, 1);          // or VideoDataset.perVideo(...), or your own
        LabeledClips testClips = new SyntheticMotion(16, shape, 2);
        ComputationGraph graph = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(4)
                .inputShape(new int[] {3, 8, 24, 24}).build().init();
        graph.setListeners(new ScoreIterationListener(10));
        graph.fit(ClipDataSetIterator.training(trainClips, 8, 1234), 2);    // shuffled batches [8, 3, 8, 24, 24]
        Evaluation evaluation = graph.evaluate(new ClipDataSetIterator(testClips, 8));
        System.out.println(evaluation.stats());

        assertEquals(8, graph.getIterationCount());
        assertEquals(16, evaluation.getNumRowCounter(), 1e-9);
    }

    @Test
    void pretrainedWeightsFineTuningParallelInferenceAndSameDiff() throws IOException {
        Path published = dir.resolve("dl4j/models/shufflenetv2-3d/kinetics_shufflenetv2_0.25x_RGB_16_best.pth");
        ShuffleNet3d weights = ShuffleNet3d.create(ReferenceCheckpoint.KINETICS_SHUFFLENETV2_0_25X.config(),
                ClipShape.DEFAULT);
        weights.saveWeights(Files.createDirectories(published.getParent()).resolve(published.getFileName()));
        INDArray rgbPixels = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 112, 112).muli(255).castTo(DataType.INT);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 600);
        labels.putScalar(0, 3, 1f);
        labels.putScalar(1, 599, 1f);
        LabeledClips ucf101Clips = new FixedClips(ClipNormalizer.reference().normalize(rgbPixels), 101);

        ShuffleNetV2 zoo = ShuffleNetV2.builder().widthMultiplier(0.25).build();
        ReferenceCheckpoint checkpoint = zoo.kineticsCheckpoint().orElseThrow();   // KINETICS_SHUFFLENETV2_0_25X
        System.out.println(checkpoint.describeInputs());
        // 3x16x112x112 BGR clips of 0-255 pixels minus the ActivityNet mean [114.7748, 107.7354, 99.475], frame stride 1; 600 Kinetics-600 classes
        ComputationGraph kinetics = zoo.initPretrained();   // ~/.deeplearning4j/models/shufflenetv2-3d/kinetics_shufflenetv2_0.25x_RGB_16_best.pth
        INDArray clips = new ClipNormalizer(checkpoint.normalization()).normalize(rgbPixels);   // rgbPixels: [N, 3, 16, 112, 112], 0-255
        INDArray probabilities = kinetics.outputSingle(clips);
        for (ClassPrediction prediction : checkpoint.labels().decodePredictions(probabilities, 5).get(0)) {
            System.out.printf("%-30s %.4f%n", prediction.getLabel(), prediction.getProbability());
        }

        assertEquals(ReferenceCheckpoint.KINETICS_SHUFFLENETV2_0_25X, checkpoint);
        assertTrue(weights.probabilities(clips).equalsWithEps(probabilities, 1e-5));
        assertEquals(5, checkpoint.labels().decodePredictions(probabilities, 5).get(1).size());

        ComputationGraph ucf101 = new TransferLearning.GraphBuilder(kinetics)
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(new Adam(1e-3)).build())
                .setFeatureExtractor(ShuffleNet3dZooModel.FEATURES)                     // freeze everything before the classifier
                .nOutReplace(ShuffleNet3dZooModel.CLASSIFIER, 101, WeightInit.XAVIER)   // 101 classes, new weights
                .build();
        ucf101.fit(ClipDataSetIterator.training(ucf101Clips, 8, 1234), 10);

        assertArrayEquals(new long[] {2, 101}, ucf101.outputSingle(clips).shape());
        assertEquals(kinetics.getLayer(ShuffleNet3dZooModel.FEATURES).params(),
                ucf101.getLayer(ShuffleNet3dZooModel.FEATURES).params(), "the frozen features changed");

        ParallelInference inference = new ParallelInference.Builder(kinetics)
                .inferenceMode(InferenceMode.INPLACE)   // not BATCHED, the default: it cannot merge 5D clips
                .workers(2)
                .build();
        INDArray fromAnyThread = inference.output(clips);
        inference.shutdown();

        assertTrue(probabilities.equalsWithEps(fromAnyThread, 1e-6));

        DataSetIterator rawBatches = new ExistingDataSetIterator(List.of(new DataSet(rgbPixels, labels)));
        rawBatches.setPreProcessor(new ClipNormalizer(checkpoint.normalization()));
        Evaluation kineticsEvaluation = kinetics.evaluate(rawBatches);

        assertEquals(2, kineticsEvaluation.getNumRowCounter(), 1e-9);

        SameDiff sd = zoo.initSameDiff();   // placeholder "input"; outputs "logits", "probabilities"; "features" before the classifier
        Map<String, INDArray> outputs = sd.output(Map.of("input", clips), sd.outputs());   // logits and probabilities
        INDArray features = sd.outputSingle(Map.of("input", clips), "features");          // [N, 1024]

        assertEquals(List.of("logits", "probabilities"), List.copyOf(outputs.keySet()));
        assertArrayEquals(new long[] {2, 1024}, features.shape());
        assertNotEquals(0.0, features.sumNumber().doubleValue());
    }

    @Test
    void theReferencesOptimiser() {
        ShuffleNetV2 asTheReference = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(4)
                .updater(MomentumSgd.reference())       // torch.optim.SGD(lr=0.1, momentum=0.9, dampening=0.9)
                .weightDecay(1e-3)                      // its weight_decay: L2 on every trained parameter
                .build();

        assertEquals(MomentumSgd.reference(), asTheReference.updater());
        assertEquals(1e-3, asTheReference.weightDecay());
    }

    /** Clips given as one array [N, 3, D, H, W], labelled 0, 1, ... in turn. */
    private record FixedClips(INDArray clips, int numClasses) implements LabeledClips {
        @Override
        public int size() {
            return (int) clips.size(0);
        }

        @Override
        public ClipShape clipShape() {
            return new ClipShape((int) clips.size(2), (int) clips.size(3), (int) clips.size(4));
        }

        @Override
        public INDArray clip(int index) {
            return clips.slice(index).dup();
        }

        @Override
        public int label(int index) {
            return index % numClasses;
        }
    }
}
