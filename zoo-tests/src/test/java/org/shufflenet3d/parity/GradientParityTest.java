package org.shufflenet3d.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.WeightFiles;
import org.shufflenet3d.io.NumpyFiles;
import org.shufflenet3d.train.FineTuning;
import org.shufflenet3d.train.Optimizer;
import org.shufflenet3d.train.TrainingSession;

/**
 * A training step's gradients, computed in float64, equal PyTorch's float64 gradients of the same step (the
 * {@code grad0/} entries of the training fixtures) to 1e-7 relative (L2, parameter by parameter; measured: 2e-13
 * at most): the training form's batch norm, ReLU, depthwise and grouped convolutions and their gradients are the
 * reference's to rounding.
 */
class GradientParityTest {

    private static final Path FIXTURES = Paths.get("src/test/resources/fixtures/training");
    private static final Path CASES = Paths.get("src/test/resources/fixtures/parity");
    private static final double TOLERANCE = 1e-7;
    /**
     * A batch norm's bias followed by another batch norm gets a gradient of zero in exact arithmetic (the second
     * subtracts the mean): both sides give rounding noise there, compared against the largest gradient instead.
     */
    private static final double ROUNDING = 1e-12;

    static Stream<JsonNode> runsWithGradients() throws IOException {
        List<JsonNode> runs = new java.util.ArrayList<>();
        new ObjectMapper().readTree(FIXTURES.resolve("runs.json").toFile()).forEach(run -> {
            try {
                if (NumpyFiles.readNpz(FIXTURES.resolve(run.get("name").asText() + ".npz")).keySet().stream()
                        .anyMatch(key -> key.startsWith("grad0/"))) {
                    runs.add(run);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(2, runs.size(), "runs with stored gradients");
        return runs.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runsWithGradients")
    void firstStepGradientsMatchPyTorch(JsonNode run) throws IOException {
        String name = run.get("name").asText();
        Map<String, INDArray> fixture = NumpyFiles.readNpz(FIXTURES.resolve(name + ".npz"));
        JsonNode size = run.get("clip");
        ClipShape clip = new ClipShape(size.get(0).asInt(), size.get(1).asInt(), size.get(2).asInt());
        Path weights = CASES.resolve(run.get("case").asText() + ".weights.npz");
        ShuffleNet3d model = ShuffleNet3d.create(WeightFiles.read(weights).config(), clip, 0, DataType.DOUBLE);
        model.loadWeights(weights);
        Map<String, INDArray> gradients = new HashMap<>();
        TrainingSession session = new TrainingSession(model, new Optimizer() {
            @Override
            public void step(Map<String, INDArray> parameters, Map<String, INDArray> g, double lr) {
                g.forEach((parameter, gradient) -> gradients.put(parameter, gradient.dup()));
            }

            @Override
            public Map<String, INDArray> state() {
                return Map.of();
            }

            @Override
            public void restore(Map<String, INDArray> state) {
            }
        }, FineTuning.COMPLETE, 0.0);
        INDArray labels = fixture.get("batch0/labels");
        int[] classes = new int[(int) labels.length()];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = labels.getInt(i);
        }
        INDArray clips = SeededWeights.clip(name + "/batch0", clip.batchShape(run.get("batch").asInt()),
                run.get("seed").asLong());

        session.step(clips, classes, 0.0, new Random(0));

        assertEquals(model.trainableParameterNames(), gradients.keySet(), "a gradient for every trainable parameter");
        double largest = 0;
        for (String parameter : model.trainableParameterNames()) {
            largest = Math.max(largest, fixture.get("grad0/" + parameter).norm2Number().doubleValue());
        }
        for (String parameter : model.trainableParameterNames()) {
            INDArray expected = fixture.get("grad0/" + parameter);
            assertEquals(DataType.DOUBLE, expected.dataType(), "the fixture's gradients are float64");
            double error = expected.sub(gradients.get(parameter)).norm2Number().doubleValue();
            double scale = expected.norm2Number().doubleValue();
            assertTrue(error <= TOLERANCE * scale + ROUNDING * largest,
                    parameter + ": |Δ| " + error + " against |g| " + scale);
        }
    }
}
