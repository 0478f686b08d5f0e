package org.shufflenet3d.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.ZooType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.io.MalformedFileException;
import org.shufflenet3d.io.NumpyFiles;

/** The DL4J zoo wrappers: the ComputationGraph equals the SameDiff graph, serialises, fine-tunes, loads weights. */
class ZooModelTest {

    private static final Path FIXTURES = Paths.get("src/test/resources/fixtures/parity");
    private static final int[] SMALL_V2_INPUT = {3, 12, 32, 24};

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

    private static ShuffleNetV2 smallV2() {
        return ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(5).inputShape(SMALL_V2_INPUT).build();
    }

    private static Map<String, INDArray> fixture() throws IOException {
        return NumpyFiles.readNpz(FIXTURES.resolve("v2_w0.25_full.npz"));
    }

    @Test
    void computationGraphGivesTheSameDiffGraphsProbabilities() throws IOException {
        ShuffleNetV2 zoo = smallV2();
        ShuffleNet3d model = zoo.initPretrainedModel(FIXTURES.resolve("v2_w0.25_full.reference.pth"));
        ComputationGraph graph = zoo.toComputationGraph(model);
        INDArray clips = fixture().get("input");
        INDArray expected = model.probabilities(clips);
        INDArray actual = graph.outputSingle(clips);
        assertTrue(expected.equalsWithEps(actual, 1e-5), expected + "\n" + actual);
        INDArray logits = fixture().get("logits");
        assertTrue(Nd4j.nn().softmax(logits, 1).equalsWithEps(actual, 1e-4));
    }

    @Test
    void computationGraphOfAFreshModelMatchesItsSameDiffGraph() {
        ShuffleNetV1 zoo = ShuffleNetV1.builder().groups(3).widthMultiplier(0.25).numClasses(4)
                .inputShape(new int[] {3, 16, 33, 33}).build();
        ComputationGraph graph = zoo.init();
        INDArray clips = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 33, 33).muli(200).subi(100);
        INDArray fromSameDiff = zoo.initModel().probabilities(clips);
        assertTrue(fromSameDiff.equalsWithEps(graph.outputSingle(clips), 1e-5));
    }

    @Test
    void modelSerializerRoundTrips() throws IOException {
        ComputationGraph graph = smallV2().initPretrained(FIXTURES.resolve("v2_w0.25_full.zip.pth").getParent()
                .resolve("v2_w0.25_full.reference.pth"));
        File file = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(graph, file, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);
        INDArray clips = fixture().get("input");
        assertEquals(graph.outputSingle(clips), restored.outputSingle(clips));
    }

    @Test
    void sameDiffFormHasItsOutputsSetAndNamesItsFeatures() {
        ShuffleNetV2 zoo = smallV2();
        SameDiff sd = zoo.initSameDiff();
        assertEquals(List.of(ShuffleNet3d.OUTPUT, ShuffleNet3d.PROBABILITIES), sd.outputs());
        INDArray clips = Nd4j.rand(DataType.FLOAT, 2, 3, 12, 32, 24).muli(100);
        Map<String, INDArray> outputs = sd.output(Map.of(ShuffleNet3d.INPUT, clips), sd.outputs());
        assertEquals(java.util.Set.of(ShuffleNet3d.OUTPUT, ShuffleNet3d.PROBABILITIES), outputs.keySet());
        ShuffleNet3d model = zoo.initModel();
        assertTrue(model.output(clips).equalsWithEps(outputs.get(ShuffleNet3d.OUTPUT), 1e-4));
        INDArray features = sd.output(Map.of(ShuffleNet3d.INPUT, clips), ShuffleNet3d.FEATURES)
                .get(ShuffleNet3d.FEATURES);
        assertArrayEquals(new long[] {2, 1024}, features.shape());
        assertTrue(model.features(clips).equalsWithEps(features, 1e-4));
    }

    @Test
    void metaDataTypeAndName() {
        ShuffleNetV2 v2 = ShuffleNetV2.builder().build();
        assertArrayEquals(new int[][] {{3, 16, 112, 112}}, v2.metaData().getInputShape());
        assertEquals(1, v2.metaData().getNumOutputs());
        assertEquals(ZooType.CNN, v2.metaData().getZooType());
        assertEquals(ComputationGraph.class, v2.modelType());
        assertEquals("shufflenetv2-3d", v2.modelName());
        assertEquals("shufflenet-3d", ShuffleNetV1.builder().build().modelName());
        assertEquals(ShuffleNetConfig.v1(3, 1.0, 600), ShuffleNetV1.builder().build().config());
    }

    @Test
    void fitTrainsWeightsAndMovesRunningStatistics() throws IOException {
        ShuffleNetV2 zoo = ShuffleNetV2.builder().widthMultiplier(0.25).numClasses(5).inputShape(SMALL_V2_INPUT)
                .updater(new Sgd(1e-4)).build();
        ComputationGraph graph = zoo.initPretrained(FIXTURES.resolve("v2_w0.25_full.reference.pth"));
        ShuffleNetFeaturesLayer layer = (ShuffleNetFeaturesLayer) graph.getLayer(ShuffleNet3dZooModel.FEATURES).conf()
                .getLayer();
        Map<String, INDArray> before = copy(layer.stateDict(graph.getLayer(ShuffleNet3dZooModel.FEATURES).paramTable()));
        INDArray classifierBefore = graph.getLayer(ShuffleNet3dZooModel.CLASSIFIER).getParam("W").dup();
        INDArray clips = fixture().get("input");
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 5);
        labels.putScalar(0, 1, 1f);
        labels.putScalar(1, 3, 1f);
        for (int i = 0; i < 3; i++) {
            graph.fit(new DataSet(clips, labels));
        }
        Map<String, INDArray> after = layer.stateDict(graph.getLayer(ShuffleNet3dZooModel.FEATURES).paramTable());
        after.forEach((name, value) -> assertFalse(value.isNaN().any() || value.isInfinite().any(), name));
        for (String name : List.of("conv1.0.weight", "conv1.1.running_mean", "conv1.1.running_var",
                "conv_last.0.weight", "conv_last.1.running_var")) {
            assertNotEquals(before.get(name), after.get(name), name + " unchanged");
        }
        assertNotEquals(classifierBefore, graph.getLayer(ShuffleNet3dZooModel.CLASSIFIER).getParam("W"));
        assertEquals(List.of(), graph.getLayer(ShuffleNet3dZooModel.FEATURES).paramTable().keySet().stream()
                .filter(key -> !List.of(ShuffleNetFeaturesLayer.PARAMETERS, ShuffleNetFeaturesLayer.STATISTICS)
                        .contains(key)).toList());
    }

    @Test
    void pretrainedCheckpointIsFoundInTheResourceDirectory() throws IOException {
        ShuffleNetV2 zoo = smallV2();
        ShuffleNet3d reference = ShuffleNet3d.create(ReferenceCheckpoint.JESTER_SHUFFLENETV2_1_0X.config(),
                zoo.clip());
        Path cached = dir.resolve("dl4j/models/shufflenetv2-3d/jester_shufflenetv2_1.0x_RGB_16_best.pth");
        Files.createDirectories(cached.getParent());
        reference.saveWeights(cached);
        ShuffleNet3d loaded = zoo.initPretrainedModel(ReferenceCheckpoint.JESTER_SHUFFLENETV2_1_0X);
        assertEquals(ReferenceCheckpoint.JESTER_SHUFFLENETV2_1_0X.config(), loaded.config());
        INDArray clips = Nd4j.rand(DataType.FLOAT, 1, 3, 12, 32, 24);
        assertEquals(reference.output(clips), loaded.output(clips));
    }

    @Test
    void missingCheckpointSaysWhichFileToPutWhere() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> smallV2().initPretrained(ReferenceCheckpoint.KINETICS_SHUFFLENETV2_1_0X));
        assertTrue(e.getFile().endsWith("models/shufflenetv2-3d/kinetics_shufflenetv2_1.0x_RGB_16_best.pth"),
                e.getFile());
        assertTrue(e.getMessage().contains("put it at " + e.getFile()), e.getMessage());
        assertTrue(e.getMessage().contains(ReferenceCheckpoint.PUBLISHED_AT), e.getMessage());
    }

    @Test
    void checkpointIsDownloadedFromTheBaseUrlAndItsChecksumVerified() throws Exception {
        Path server = Files.createDirectories(dir.resolve("server"));
        ReferenceCheckpoint checkpoint = ReferenceCheckpoint.JESTER_SHUFFLENETV2_1_0X;
        Path published = server.resolve(checkpoint.fileName());
        ShuffleNet3d.create(checkpoint.config(), new ClipShape(12, 32, 24)).saveWeights(published);
        String sha256 = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(published)));
        Path cache = dir.resolve("dl4j/models/shufflenetv2-3d");

        ShuffleNetV2 wrongChecksum = ShuffleNetV2.builder().inputShape(SMALL_V2_INPUT)
                .pretrainedBaseUrl(server.toUri().toString()).checksum(checkpoint, "00" + sha256.substring(2)).build();
        MalformedFileException e = assertThrows(MalformedFileException.class,
                () -> wrongChecksum.pretrainedFile(checkpoint));
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
        assertFalse(Files.exists(cache.resolve(checkpoint.fileName())), "a file that failed its checksum is kept");
        assertEquals(List.of(), Files.exists(cache) ? list(cache) : List.of(), "temporary files left behind");

        ShuffleNetV2 zoo = ShuffleNetV2.builder().inputShape(SMALL_V2_INPUT)
                .pretrainedBaseUrl(server.toUri().toString()).checksum(checkpoint, sha256).build();
        assertEquals(cache.resolve(checkpoint.fileName()), zoo.pretrainedFile(checkpoint));
        assertEquals(checkpoint.config(), zoo.initPretrainedModel(checkpoint).config());
    }

    @Test
    void aCheckpointOfTheOtherArchitectureIsRefused() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> smallV2().initPretrained(ReferenceCheckpoint.KINETICS_SHUFFLENET_1_0X_G3));
        assertTrue(e.getMessage().contains("is a shufflenet checkpoint"), e.getMessage());
        assertThrows(org.shufflenet3d.WeightMismatchException.class,
                () -> ShuffleNetV1.builder().inputShape(new int[] {3, 16, 33, 34}).build()
                        .initPretrainedModel(FIXTURES.resolve("v2_w0.25_full.reference.pth")));
    }

    @Test
    void builderRefusesBadSettings() {
        assertThrows(InvalidConfigurationException.class, () -> ShuffleNetV2.builder().widthMultiplier(0.3).build());
        assertThrows(InvalidConfigurationException.class, () -> ShuffleNetV1.builder().groups(4).widthMultiplier(0.5)
                .build());
        assertThrows(InvalidConfigurationException.class, () -> ShuffleNetV2.builder().inputShape(new int[] {1, 16, 112,
            112}).build());
        assertThrows(InvalidConfigurationException.class, () -> ShuffleNetV2.builder().dropout(1.0));
    }

    @Test
    void inferenceFromSeveralThreadsEqualsOneThread() throws Exception {
        ShuffleNet3d model = smallV2().initPretrainedModel(FIXTURES.resolve("v2_w0.25_full.reference.pth"));
        List<INDArray> clips = List.of(Nd4j.rand(DataType.FLOAT, 2, 3, 12, 32, 24).muli(100),
                Nd4j.rand(DataType.FLOAT, 1, 3, 12, 32, 24).muli(100), Nd4j.rand(DataType.FLOAT, 3, 3, 12, 32, 24));
        List<INDArray> expected = clips.stream().map(model::output).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<INDArray>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                INDArray clip = clips.get(i % clips.size());
                results.add(pool.submit(() -> model.output(clip)));
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals(expected.get(i % clips.size()), results.get(i).get(), "call " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> params) {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }

    private static List<Path> list(Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            return files.toList();
        }
    }
}
