package org.shufflenet3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.graph.NetworkBuilder;
import org.shufflenet3d.graph.ShapesOnly;

/** A declaration without a graph gives what the graph of {@link ShuffleNet3d#create} holds. */
class NetworksTest {

    private static final ClipShape CLIP = new ClipShape(16, 33, 33);
    private static final long SEED = 7;

    private static ShuffleNetConfig config(String architecture, double width) {
        return Architecture.fromReferenceName(architecture) == Architecture.SHUFFLENET
                ? ShuffleNetConfig.v1(3, width, 10) : ShuffleNetConfig.v2(width, 10);
    }

    @ParameterizedTest(name = "{0} {1}x")
    @CsvSource({"shufflenet, 0.5", "shufflenetv2, 0.25"})
    void initialWeightsAreTheCreatedNetworksBitForBit(String architecture, double width) {
        ShuffleNetConfig config = config(architecture, width);
        Map<String, INDArray> created = ShuffleNet3d.create(config, CLIP, SEED).weights();
        Map<String, INDArray> initial = Networks.initialWeights(config, CLIP, SEED);
        assertEquals(created.keySet(), initial.keySet());
        created.forEach((name, value) -> {
            assertArrayEquals(value.shape(), initial.get(name).shape(), name);
            assertArrayEquals(value.data().asFloat(), initial.get(name).data().asFloat(), name);
        });
    }

    @ParameterizedTest(name = "{0} {1}x")
    @CsvSource({"shufflenet, 0.5", "shufflenetv2, 0.25"})
    void shapesKindsAndSummaryAreTheCreatedNetworks(String architecture, double width) {
        ShuffleNetConfig config = config(architecture, width);
        ShuffleNet3d model = ShuffleNet3d.create(config, CLIP, SEED);
        ShapesOnly declared = Networks.declareShapes(config, CLIP);
        model.weights().forEach((name, value) ->
                assertArrayEquals(value.shape(), declared.parameterShapes().get(name), name));
        assertEquals(model.weights().keySet(), declared.parameterShapes().keySet());
        TreeSet<String> trainable = new TreeSet<>();
        declared.parameters().forEach((name, kind) -> {
            if (kind == NetworkBuilder.ParameterKind.TRAINABLE) {
                trainable.add(name);
            }
        });
        assertEquals(model.trainableParameterNames(), trainable);
        assertEquals(model.summary().toTable(), new ModelSummary(config, CLIP, declared.layers()).toTable());
    }
}
