package org.shufflenet3d.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The library's own ops and their gradients (batch norm's training form, the one-pass channel shuffle, ReLU from its
 * output) and the in-graph differentiation ({@link Gradients}) against the same arithmetic in ND4J's own ops,
 * differentiated by SameDiff, in float64.
 */
class TrainingOpsTest {

    private static final double TOLERANCE = 1e-10;

    private static INDArray random(long seed, long... shape) {
        return Nd4j.rand(Nd4j.getRandomFactory().getNewRandomInstance(seed), shape).castTo(DataType.DOUBLE)
                .subi(0.5).muli(4);
    }

    /**
     * A loss sum(f(x, γ, β)·r) declared twice over the same values, once with each formulation; the values and
     * the gradients with respect to x, γ and β of both must agree.
     */
    private static void assertSameValuesAndGradients(long[] shape, long channels,
            BiFunction<SameDiff, SDVariable[], SDVariable> ours, BiFunction<SameDiff, SDVariable[], SDVariable> nd4j) {
        INDArray x = random(1, shape);
        INDArray gamma = random(2, channels).addi(3);
        INDArray beta = random(3, channels);
        INDArray weights = random(4, shape);
        List<String> parameters = List.of("x", "gamma", "beta");

        SameDiff mine = SameDiff.create();
        SDVariable[] inputs = {mine.var("x", x), mine.var("gamma", gamma), mine.var("beta", beta)};
        SDVariable loss = ours.apply(mine, inputs).mul(mine.constant(weights)).sum("loss");
        List<String> outputs = new ArrayList<>(List.of("loss"));
        Gradients.declare(mine, loss, parameters).forEach((name, gradient) -> outputs.add(gradient.name()));
        Map<String, INDArray> values = new GraphExecutor(mine, outputs).run(Map.of());

        SameDiff reference = SameDiff.create();
        SDVariable[] same = {reference.var("x", x), reference.var("gamma", gamma), reference.var("beta", beta)};
        nd4j.apply(reference, same).mul(reference.constant(weights)).sum("loss");
        reference.setLossVariables("loss");
        Map<String, INDArray> expected = reference.calculateGradients(Map.of(), parameters);
        double expectedLoss = reference.output(Map.of(), "loss").get("loss").getDouble(0);

        assertEquals(expectedLoss, values.get("loss").getDouble(0), TOLERANCE * Math.abs(expectedLoss), "loss");
        for (int i = 0; i < parameters.size(); i++) {
            INDArray e = expected.get(parameters.get(i));
            INDArray a = values.get(outputs.get(i + 1));
            assertArrayEquals(e.shape(), a.shape(), parameters.get(i));
            double error = e.sub(a).amaxNumber().doubleValue();
            assertTrue(error <= TOLERANCE * Math.max(1, e.amaxNumber().doubleValue()),
                    "gradient of " + parameters.get(i) + " differs by " + error);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"2x3x4x5x6", "1x1x1x1x7", "3x2x1x1x40", "64x3"})
    void batchNormMatchesItsArithmeticInNd4jOps(String dims) {
        long[] shape = java.util.Arrays.stream(dims.split("x")).mapToLong(Long::parseLong).toArray();
        long channels = shape[shape.length - 1];
        int[] axes = new int[shape.length - 1];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i;
        }
        assertSameValuesAndGradients(shape, channels,
                (sd, in) -> new TrainingBatchNorm(sd, in[0], in[1], in[2], 1e-5).output(),
                (sd, in) -> {
                    SDVariable centred = in[0].sub(sd.mean(in[0], axes));
                    SDVariable variance = sd.mean(centred.mul(centred), axes);
                    return centred.div(sd.math.sqrt(variance.add(1e-5))).mul(in[1]).add(in[2]);
                });
    }

    /** The float kernels against the double ones: the same values to float precision. */
    @Test
    void batchNormInFloatAgreesWithDouble() {
        long[] shape = {4, 3, 5, 6, 24};
        INDArray x = random(7, shape).muli(30).addi(100);
        INDArray dy = random(8, shape);
        INDArray gamma = random(9, 24).addi(3);
        INDArray beta = random(10, 24);
        Map<DataType, Map<String, INDArray>> results = new java.util.EnumMap<>(DataType.class);
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            SameDiff sd = SameDiff.create();
            SDVariable input = sd.var("x", x.castTo(type));
            TrainingBatchNorm bn = new TrainingBatchNorm(sd, input, sd.var("gamma", gamma.castTo(type)),
                    sd.var("beta", beta.castTo(type)), 1e-5);
            SDVariable loss = bn.output().mul(sd.constant(dy.castTo(type))).sum("loss");
            List<String> outputs = new ArrayList<>(List.of(bn.output().name(), bn.mean().name(),
                    bn.biasedVariance().name()));
            Gradients.declare(sd, loss, List.of("x", "gamma", "beta")).values()
                    .forEach(gradient -> outputs.add(gradient.name()));
            Map<String, INDArray> values = new java.util.LinkedHashMap<>();
            List<INDArray> list = new ArrayList<>(new GraphExecutor(sd, outputs).run(Map.of()).values());
            for (int i = 0; i < list.size(); i++) {
                values.put(String.valueOf(i), list.get(i).castTo(DataType.DOUBLE));
            }
            results.put(type, values);
        }
        results.get(DataType.DOUBLE).forEach((key, expected) -> {
            INDArray actual = results.get(DataType.FLOAT).get(key);
            double error = expected.sub(actual).amaxNumber().doubleValue();
            assertTrue(error <= 1e-4 * Math.max(1, expected.amaxNumber().doubleValue()),
                    "output " + key + " differs by " + error);
        });
    }

    @Test
    void batchNormExposesTheBatchMeanAndBiasedVariance() {
        INDArray x = random(5, 4, 3, 2, 3);
        SameDiff sd = SameDiff.create();
        TrainingBatchNorm bn = new TrainingBatchNorm(sd, sd.var("x", x), sd.var("gamma", Nd4j.ones(DataType.DOUBLE, 3)),
                sd.var("beta", Nd4j.zeros(DataType.DOUBLE, 3)), 1e-5);
        Map<String, INDArray> out = new GraphExecutor(sd, List.of(bn.mean().name(), bn.biasedVariance().name()))
                .run(Map.of());

        INDArray rows = x.reshape(-1, 3);
        assertTrue(rows.mean(0).equalsWithEps(out.get(bn.mean().name()), 1e-12));
        assertTrue(rows.var(false, 0).equalsWithEps(out.get(bn.biasedVariance().name()), 1e-12));
    }

    @ParameterizedTest(name = "{1} groups of {0} channels")
    @CsvSource({"6, 2", "6, 3", "12, 4", "5, 5", "4, 1"})
    void channelShuffleMatchesReshapePermuteReshape(int channels, int groups) {
        long[] shape = {2, 3, 2, channels};
        assertSameValuesAndGradients(shape, channels,
                (sd, in) -> new ChannelShuffle(sd, in[0].mul(in[1]).add(in[2]), channels, groups).outputVariable(),
                (sd, in) -> in[0].mul(in[1]).add(in[2]).reshape(2, 3, 2, groups, channels / groups)
                        .permute(0, 1, 2, 4, 3).reshape(2, 3, 2, channels));
    }

    @Test
    void reluDifferentiatesFromItsOutput() {
        assertSameValuesAndGradients(new long[] {3, 4, 5}, 5,
                (sd, in) -> new Relu(sd, in[0].mul(in[1]).add(in[2])).outputVariable(),
                (sd, in) -> sd.nn.relu(in[0].mul(in[1]).add(in[2]), 0));
    }

    @Test
    void gradientsOfNd4jOpsMatchSameDiffs() {
        BiFunction<SameDiff, SDVariable[], SDVariable> f = (sd, in) -> sd.math.tanh(
                sd.mmul(sd.math.exp(sd.mmul(in[0], sd.transpose(in[0])).mul(0.1)), in[0]).add(in[2])).mul(in[1]);
        assertSameValuesAndGradients(new long[] {4, 5}, 5, f, f);
    }
}
