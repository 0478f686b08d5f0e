package org.shufflenet3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shufflenet3d.ReferenceOps.assertClose;
import static org.shufflenet3d.ReferenceOps.assertSameValues;
import static org.shufflenet3d.ReferenceOps.uniform;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The model's public surface on two small networks: output shapes, input checks and state_dict loading. */
class ShuffleNet3dTest {

    private static final int CLASSES = 3;
    private static final ShuffleNetConfig V2 = ShuffleNetConfig.v2(0.25, CLASSES);
    private static final ClipShape V2_CLIP = new ClipShape(4, 16, 16);
    private static final ShuffleNetConfig V1 = ShuffleNetConfig.v1(3, 0.25, CLASSES);
    private static final ClipShape V1_CLIP = new ClipShape(16, 33, 33);

    static Stream<Arguments> networks() {
        return Stream.of(Arguments.of(V2, V2_CLIP), Arguments.of(V1, V1_CLIP));
    }

    private static ShuffleNet3d v2(long seed) {
        return ShuffleNet3d.create(V2, V2_CLIP, seed);
    }

    private static INDArray clips(long seed, int batch, ClipShape clip) {
        return uniform(seed, -1, 1, clip.batchShape(batch));
    }

    /** Random values for every entry, running variances positive, so that every entry changes the output. */
    private static Map<String, INDArray> randomStateDict(ShuffleNet3d model, long seed) {
        Map<String, INDArray> stateDict = new LinkedHashMap<>();
        long s = seed;
        for (Map.Entry<String, INDArray> e : model.weights().entrySet()) {
            boolean variance = e.getKey().endsWith(".running_var");
            stateDict.put(e.getKey(), uniform(s++, variance ? 0.5 : -0.5, variance ? 1.5 : 0.5, e.getValue().shape()));
        }
        return stateDict;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void outputsOneRowOfLogitsPerClip(ShuffleNetConfig config, ClipShape clip) {
        ShuffleNet3d model = ShuffleNet3d.create(config, clip);

        INDArray single = model.output(clips(1, 1, clip));
        INDArray batch = model.output(clips(2, 3, clip));

        assertArrayEquals(new long[] {1, CLASSES}, single.shape());
        assertArrayEquals(new long[] {3, CLASSES}, batch.shape());
        assertEquals(DataType.FLOAT, batch.dataType());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void clipsInABatchAreIndependent(ShuffleNetConfig config, ClipShape clip) {
        ShuffleNet3d model = ShuffleNet3d.create(config, clip);
        INDArray batch = clips(3, 3, clip);

        INDArray logits = model.output(batch);

        for (int i = 0; i < 3; i++) {
            INDArray alone = model.output(batch.slice(i).reshape(clip.batchShape(1)).dup());
            assertClose(alone, logits.getRow(i).reshape(1, CLASSES), 1e-4);
        }
    }

    @Test
    void acceptsDoubleClips() {
        ShuffleNet3d model = v2(1);
        INDArray clip = clips(4, 2, V2_CLIP);

        assertSameValues(model.output(clip), model.output(clip.castTo(DataType.DOUBLE)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"rank 4", "4 channels", "5 frames", "height 15", "width 17", "empty batch", "integers"})
    void refusesClipsOfAnotherShape(String problem) {
        INDArray wrong = switch (problem) {
            case "rank 4" -> Nd4j.zeros(DataType.FLOAT, 3, 4, 16, 16);
            case "4 channels" -> Nd4j.zeros(DataType.FLOAT, 1, 4, 4, 16, 16);
            case "5 frames" -> Nd4j.zeros(DataType.FLOAT, 1, 3, 5, 16, 16);
            case "height 15" -> Nd4j.zeros(DataType.FLOAT, 1, 3, 4, 15, 16);
            case "width 17" -> Nd4j.zeros(DataType.FLOAT, 1, 3, 4, 16, 17);
            case "empty batch" -> Nd4j.zeros(DataType.FLOAT, 0, 3, 4, 16, 16);
            case "integers" -> Nd4j.zeros(DataType.INT, 1, 3, 4, 16, 16);
            default -> throw new IllegalArgumentException(problem);
        };
        ShuffleNet3d model = v2(1);

        InvalidClipException e = assertThrows(InvalidClipException.class, () -> model.output(wrong));

        assertTrue(e.getMessage().contains("[N, 3, 4, 16, 16]"), e.getMessage());
    }

    @Test
    void weightsLoadedIntoAnotherInstanceReproduceItsOutputs() {
        ShuffleNet3d source = v2(1);
        source.loadWeights(randomStateDict(source, 100));
        ShuffleNet3d target = v2(2);
        INDArray clip = clips(5, 2, V2_CLIP);
        INDArray expected = source.output(clip);
        assertFalse(expected.equalsWithEps(target.output(clip), 1e-3), "different seeds, different outputs");

        target.loadWeights(source.weights());

        assertSameValues(expected, target.output(clip));
        Map<String, INDArray> copied = target.weights();
        source.weights().forEach((name, value) -> assertSameValues(value, copied.get(name)));
    }

    @Test
    void weightsAreCopies() {
        ShuffleNet3d model = v2(1);
        INDArray clip = clips(6, 1, V2_CLIP);
        INDArray before = model.output(clip);

        model.weights().values().forEach(w -> w.assign(0));

        assertSameValues(before, model.output(clip));
    }

    @Test
    void loadsDataParallelKeysAndIgnoresBatchCounters() {
        ShuffleNet3d plain = v2(1);
        Map<String, INDArray> stateDict = randomStateDict(plain, 200);
        plain.loadWeights(stateDict);
        Map<String, INDArray> checkpoint = new LinkedHashMap<>();
        stateDict.forEach((name, value) -> {
            checkpoint.put("module." + name, value);
            if (name.endsWith(".running_var")) {
                String module = name.substring(0, name.length() - ".running_var".length());
                checkpoint.put("module." + module + ".num_batches_tracked", Nd4j.scalar(DataType.LONG, 17L));
            }
        });
        ShuffleNet3d wrapped = v2(2);

        wrapped.loadWeights(checkpoint);

        INDArray clip = clips(7, 2, V2_CLIP);
        assertSameValues(plain.output(clip), wrapped.output(clip));
    }

    @Test
    void refusesMissingUnexpectedAndMisShapedEntriesAndChangesNothing() {
        ShuffleNet3d model = v2(1);
        INDArray clip = clips(8, 2, V2_CLIP);
        INDArray before = model.output(clip);
        Map<String, INDArray> stateDict = randomStateDict(model, 300);
        stateDict.remove("classifier.1.bias");
        stateDict.put("classifier.2.weight", Nd4j.zeros(DataType.FLOAT, 3, 1024));
        stateDict.put("conv1.0.weight", Nd4j.zeros(DataType.FLOAT, 24, 3, 1, 3, 3));

        WeightMismatchException e = assertThrows(WeightMismatchException.class, () -> model.loadWeights(stateDict));

        String message = e.getMessage();
        assertTrue(message.contains("missing (1): classifier.1.bias"), message);
        assertTrue(message.contains("unexpected (1): classifier.2.weight"), message);
        assertTrue(message.contains("mis-shaped (1): conv1.0.weight [24, 3, 1, 3, 3]"), message);
        assertTrue(message.contains("[24, 3, 3, 3, 3]"), message);
        assertSameValues(before, model.output(clip));
    }

    @Test
    void convertsDoubleWeightsToFloat() {
        ShuffleNet3d floats = v2(1);
        Map<String, INDArray> stateDict = randomStateDict(floats, 400);
        floats.loadWeights(stateDict);
        Map<String, INDArray> doubles = new LinkedHashMap<>();
        stateDict.forEach((name, value) -> doubles.put(name, value.castTo(DataType.DOUBLE)));
        ShuffleNet3d converted = v2(2);

        converted.loadWeights(doubles);

        INDArray clip = clips(9, 2, V2_CLIP);
        assertSameValues(floats.output(clip), converted.output(clip));
        converted.weights().forEach((name, value) -> assertEquals(DataType.FLOAT, value.dataType(), name));
    }

    @Test
    void trainableParametersAreAllButTheRunningStatistics() {
        ShuffleNet3d model = v2(1);
        Set<String> trainable = model.trainableParameterNames();

        Set<String> statistics = new TreeSet<>(model.weights().keySet());
        statistics.removeAll(trainable);

        assertTrue(model.weights().keySet().containsAll(trainable));
        assertTrue(trainable.containsAll(Set.of("conv1.0.weight", "conv1.1.weight", "conv1.1.bias",
                "features.0.banch1.0.weight", "classifier.1.weight", "classifier.1.bias")), trainable.toString());
        assertFalse(statistics.isEmpty());
        statistics.forEach(name -> assertTrue(name.endsWith(".running_mean") || name.endsWith(".running_var"), name));
        trainable.forEach(name -> assertFalse(name.contains("running_"), name));
    }

    @Test
    void v1WeightsRoundTrip() {
        ShuffleNet3d source = ShuffleNet3d.create(V1, V1_CLIP, 1);
        source.loadWeights(randomStateDict(source, 500));
        ShuffleNet3d target = ShuffleNet3d.create(V1, V1_CLIP, 2);

        target.loadWeights(source.weights());

        INDArray clip = clips(10, 1, V1_CLIP);
        assertSameValues(source.output(clip), target.output(clip));
        assertTrue(source.weights().containsKey("layer3.3.conv3.weight"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void foldedOutputFollowsTheGraphThroughLoadingAndInPlaceChanges(ShuffleNetConfig config, ClipShape clip) {
        ShuffleNet3d model = ShuffleNet3d.create(config, clip, 5);
        INDArray x = clips(6, 2, clip);
        model.loadWeights(randomStateDict(model, 7));
        assertClose(graphOutput(model, x), model.output(x), 1e-5);

        Map<String, INDArray> live = model.liveParameters();
        live.values().forEach(p -> p.muli(1.25));
        INDArray stale = model.output(x);
        model.parametersChanged();
        INDArray updated = model.output(x);

        assertClose(graphOutput(model, x), updated, 1e-5);
        assertFalse(stale.equalsWithEps(updated, 1e-3), "the in-place change should change the output");
    }

    /** The logits of the reference-form graph, batch norm an op of its own. */
    private static INDArray graphOutput(ShuffleNet3d model, INDArray x) {
        return model.sameDiff().output(Map.of(ShuffleNet3d.INPUT, x), ShuffleNet3d.OUTPUT).get(ShuffleNet3d.OUTPUT);
    }
}
