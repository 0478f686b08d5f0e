package org.shufflenet3d.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.data.ClipDataSetIterator;
import org.shufflenet3d.data.LabeledClips;
import org.shufflenet3d.data.MovingShapeVideos;
import org.shufflenet3d.data.SyntheticMotion;
import org.shufflenet3d.data.VideoDataset;
import org.shufflenet3d.data.VideoIndex;
import org.shufflenet3d.train.FineTuning;
import org.shufflenet3d.train.SgdOptimizer;
import org.shufflenet3d.train.TrainingSession;
import org.shufflenet3d.video.ClipNormalization;
import org.shufflenet3d.video.TrainingCrop;
import org.shufflenet3d.video.VideoClips;
import org.shufflenet3d.video.VideoReader;

/**
 * The ComputationGraph of a zoo model trains as the library's own training does: batch norm with the batch's
 * statistics, running statistics moved as PyTorch moves them, the same gradients.
 */
class ComputationGraphTrainingTest {

    private static final int[] INPUT_SHAPE = {3, 16, 33, 33};
    private static final long SEED = 5;

    @TempDir
    Path dir;

    /** A small network of three classes for clips of {@link #INPUT_SHAPE}, SGD and no dropout. */
    private static ShuffleNet3dZooModel zoo(String architecture, double learningRate) {
        return architecture.equals("shufflenet")
                ? ShuffleNetV1.builder().groups(3).widthMultiplier(0.25).numClasses(3).inputShape(INPUT_SHAPE)
                        .updater(new Sgd(learningRate)).weightDecay(0).dropout(0).seed(SEED).build()
                : ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(3).inputShape(INPUT_SHAPE)
                        .updater(new Sgd(learningRate)).weightDecay(0).dropout(0).seed(SEED).build();
    }

    /**
     * In double precision, so that the comparison is not lost in float rounding: at initialisation, some channels'
     * batch variance is near zero in these small clips and batch norm amplifies the rounding of float32 by
     * orders of magnitude within a step.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"shufflenetv2", "shufflenet"})
    void threeStepsOfFitEqualThreeStepsOfTrainingSession(String architecture) {
        double learningRate = 0.05;
        ShuffleNet3dZooModel zoo = zoo(architecture, learningRate);
        ComputationGraph graph = zoo.init().convertDataType(DataType.DOUBLE);
        ShuffleNet3d model = ShuffleNet3d.create(zoo.config(), zoo.clip(), SEED, DataType.DOUBLE);
        Map<String, INDArray> initial = zoo.initModel().weights();
        initial.replaceAll((name, value) -> value.castTo(DataType.DOUBLE));
        model.loadWeights(initial);
        TrainingSession session = new TrainingSession(model, new SgdOptimizer(0, 0, 0, false),
                FineTuning.COMPLETE, 0.0);
        Random random = new Random(3);
        for (int step = 0; step < 3; step++) {
            DataSet batch = randomBatch(random);
            batch.setFeatures(batch.getFeatures().castTo(DataType.DOUBLE));
            batch.setLabels(batch.getLabels().castTo(DataType.DOUBLE));
            double loss = session.step(batch.getFeatures(), labels(batch), learningRate, random).loss();
            graph.fit(batch);
            assertEquals(loss, graph.score(), 1e-9 * loss, "loss of step " + step);
        }
        Map<String, INDArray> trained = model.weights();
        featuresLayer(graph).stateDict(graph.getLayer(ShuffleNet3dZooModel.FEATURES).paramTable())
                .forEach((name, value) -> assertClose(trained.get(name), value, name));
        assertClose(trained.get("classifier.1.weight").transpose(),
                graph.getLayer(ShuffleNet3dZooModel.CLASSIFIER).getParam("W"), "classifier.1.weight");
        assertClose(trained.get("classifier.1.bias").reshape(1, -1),
                graph.getLayer(ShuffleNet3dZooModel.CLASSIFIER).getParam("b"), "classifier.1.bias");
        INDArray clips = randomBatch(random).getFeatures().castTo(DataType.DOUBLE);
        assertClose(model.probabilities(clips), graph.outputSingle(clips), "probabilities after training");
    }

    /**
     * The generated motion of {@code ConvergenceTest}, learnt through {@code graph.fit} with the builder's default
     * updater: 85% validation accuracy within 20 epochs of 128 fresh clips.
     */
    @Test
    void learnsGeneratedMotionWithTheDefaultUpdater() {
        ClipShape clip = new ClipShape(16, 24, 24);
        ShuffleNetV2 zoo = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(4)
                .inputShape(new int[] {3, 16, 24, 24}).seed(1).build();
        ComputationGraph graph = zoo.init();
        SyntheticMotion validation = new SyntheticMotion(48, clip, 7920);
        DataSet validationSet = batch(validation, 0, 48);
        double best = 0;
        for (int epoch = 0; epoch < 20 && best < 0.85; epoch++) {
            SyntheticMotion train = new SyntheticMotion(128, clip, 1000 + epoch);
            for (int start = 0; start < 128; start += 8) {
                graph.fit(batch(train, start, 8));
            }
            INDArray predicted = graph.outputSingle(validationSet.getFeatures()).argMax(1);
            best = Math.max(best, predicted.eq(validationSet.getLabels().argMax(1)).castTo(DataType.FLOAT).meanNumber()
                    .doubleValue());
        }
        assertTrue(best >= 0.85, "best validation accuracy " + best);
    }

    /**
     * The demo's videos (squares moving in four directions, decoded from mp4 files), learnt through {@code graph.fit}
     * with the builder's default updater, on the demo's 128 training and 32 validation videos, clips cut as the demo
     * cuts them: 85% of the validation videos right within 20 epochs, as the demo's own training gets.
     */
    @Test
    void learnsTheDemosVideosWithTheDefaultUpdater() throws IOException {
        VideoIndex train = MovingShapeVideos.write(dir.resolve("train"), new MovingShapeVideos.Settings(32, 16, 40,
                32, 25, "mp4", 1));
        VideoIndex validation = MovingShapeVideos.write(dir.resolve("val"), new MovingShapeVideos.Settings(8, 16, 40,
                32, 25, "mp4", 2));
        VideoClips clips = new VideoClips(new ClipShape(16, 32, 32), new VideoClips.Preprocessing(
                VideoReader.asStored(), 1, TrainingCrop.NONE, false, ClipNormalization.DEFAULT));
        LabeledClips validationClips = VideoDataset.perVideo(validation, clips);
        ComputationGraph graph = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(4)
                .inputShape(new int[] {3, 16, 32, 32}).seed(1).build().init();
        double best = 0;
        for (int epoch = 0; epoch < 20 && best < 0.85; epoch++) {
            graph.fit(ClipDataSetIterator.training(VideoDataset.perVideo(train, clips), 8, epoch));
            best = Math.max(best, graph.evaluate(new ClipDataSetIterator(validationClips, 8)).accuracy());
        }
        assertTrue(best >= 0.85, "best validation accuracy " + best);
    }

    private static DataSet batch(LabeledClips clips, int start, int count) {
        INDArray features = Nd4j.create(DataType.FLOAT, clips.clipShape().batchShape(count));
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            features.putSlice(i, clips.clip(start + i));
            labels[i] = clips.label(start + i);
        }
        return new DataSet(features, oneHot(labels, clips.numClasses()));
    }

    @Test
    void serialisedWhileTrainingItResumesWithTheSameState() throws IOException {
        ComputationGraph graph = zoo("shufflenetv2", 0.05).init();
        Random random = new Random(4);
        graph.fit(randomBatch(random));
        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        DataSet next = randomBatch(random);
        graph.fit(next);
        restored.fit(next);
        assertEquals(graph.params(), restored.params());
    }

    @Test
    void aClipOfTheWrongGeometryIsRefusedByName() {
        ComputationGraph graph = zoo("shufflenetv2", 0.05).init();
        InvalidClipException e = assertThrows(InvalidClipException.class,
                () -> graph.outputSingle(Nd4j.rand(DataType.FLOAT, 1, 3, 8, 33, 33)));
        assertTrue(e.getMessage().contains("[N, 3, 16, 33, 33]") && e.getMessage().contains("[1, 3, 8, 33, 33]"),
                e.getMessage());
        assertThrows(InvalidClipException.class, () -> graph.outputSingle(Nd4j.rand(DataType.FLOAT, 1, 16, 33, 33, 3)));
    }

    @Test
    void summaryRowsStayReadable() {
        ComputationGraph graph = zoo("shufflenet", 0.05).init();
        String summary = graph.summary();
        int widest = summary.lines().mapToInt(String::length).max().orElse(0);
        assertTrue(widest < 200, "a summary line of " + widest + " characters:\n" + summary);
        assertTrue(summary.contains(ShuffleNetFeaturesLayer.PARAMETERS), summary);
    }

    @Test
    void backpropagationNeedsATrainingPass() {
        ComputationGraph graph = zoo("shufflenetv2", 0.05).init();
        graph.initGradientsView();
        graph.outputSingle(Nd4j.rand(DataType.FLOAT, 1, 3, 16, 33, 33));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> graph.getLayer(
                ShuffleNet3dZooModel.FEATURES).backpropGradient(Nd4j.ones(DataType.FLOAT, 1, 64),
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()));
        assertTrue(e.getMessage().contains("activate(true"), e.getMessage());
        graph.getLayer(ShuffleNet3dZooModel.FEATURES).setInput(Nd4j.rand(DataType.FLOAT, 1, 3, 16, 33, 33),
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        INDArray features = graph.getLayer(ShuffleNet3dZooModel.FEATURES).activate(true,
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        assertNull(graph.getLayer(ShuffleNet3dZooModel.FEATURES).backpropGradient(features.like().assign(1),
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces()).getSecond(),
                "the features layer gives its input no gradient");
    }

    private static ShuffleNetFeaturesLayer featuresLayer(ComputationGraph graph) {
        return (ShuffleNetFeaturesLayer) graph.getLayer(ShuffleNet3dZooModel.FEATURES).conf().getLayer();
    }

    /** Clips of five noisy frames, one of them brighter; the label is which. */
    private static DataSet brightFrames(int count, Random random) {
        INDArray clips = Nd4j.rand(DataType.FLOAT, count, 3, 5, 16, 16).muli(100).subi(50);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = random.nextInt(5);
            clips.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(labels[i])).addi(60);
        }
        return new DataSet(clips, oneHot(labels, 5));
    }

    /** Four clips of {@link #INPUT_SHAPE} uniform in ±100, of three classes. */
    private static DataSet randomBatch(Random random) {
        INDArray clips = Nd4j.rand(DataType.FLOAT, 4, 3, 16, 33, 33).muli(200).subi(100);
        int[] labels = {random.nextInt(3), random.nextInt(3), random.nextInt(3), random.nextInt(3)};
        return new DataSet(clips, oneHot(labels, 3));
    }

    private static int[] labels(DataSet batch) {
        return batch.getLabels().argMax(1).toIntVector();
    }

    private static INDArray oneHot(int[] labels, int classes) {
        INDArray out = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
        for (int i = 0; i < labels.length; i++) {
            out.putScalar(i, labels[i], 1f);
        }
        return out;
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1e-3, expected.amaxNumber().doubleValue());
        double difference = expected.castTo(DataType.DOUBLE).sub(actual.castTo(DataType.DOUBLE)).amaxNumber()
                .doubleValue();
        assertTrue(difference <= 1e-9 * scale, what + ": differs by " + difference + " (largest value " + scale + ")");
    }
}
