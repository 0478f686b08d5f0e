package org.shufflenet3d.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv3DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A convolution of the folded inference form ({@link FoldedForm}) together with the batch norm after it, as one
 * convolution with a bias: the graph computes with constants derived from both layers' parameters,
 * weight·γ/√(σ²+ε) and β − μ·γ/√(σ²+ε), laid out as the convolution's ops take them. The parameters themselves stay
 * as they are, in the reference's form; {@link #update} derives the constants from them again. One factory per kind
 * of convolution declares its ops and says how its constants derive from the scaled weight (PyTorch's layout) and
 * the bias.
 */
public final class FoldedConvolution {

    /** Appended to a layer's name to name the constants its folded form computes with. */
    static final String WEIGHT_SUFFIX = "/folded_weight";
    static final String BIAS_SUFFIX = "/folded_bias";

    /** Derives a convolution's constants from its scaled weight (PyTorch's layout) and its bias [out]. */
    @FunctionalInterface
    private interface Derivation {
        List<INDArray> derive(INDArray scaledWeight, INDArray bias);
    }

    private final String convolution;
    private final SDVariable output;
    private final List<SDVariable> constants;
    private final Derivation derivation;
    private String batchNorm;

    private FoldedConvolution(String convolution, SDVariable output, List<SDVariable> constants,
            Derivation derivation) {
        this.convolution = convolution;
        this.output = output;
        this.constants = constants;
        this.derivation = derivation;
    }

    /** The stem: ND4J's conv3d with a bias, its weight [kD, kH, kW, in, out]. */
    static FoldedConvolution conv3d(SameDiff sd, String name, String module, Tensor x, long[] weightShape,
            Conv3DConfig.Conv3DConfigBuilder config, DataType dataType) {
        long[] nd4jShape = {weightShape[2], weightShape[3], weightShape[4], weightShape[1], weightShape[0]};
        SDVariable[] folded = weightAndBias(sd, name, "", nd4jShape, dataType);
        SDVariable y = sd.cnn.conv3d(name, x.variable(), folded[0], folded[1], config.biasUsed(true).build());
        return new FoldedConvolution(module, y, List.of(folded),
                (scaled, bias) -> List.of(scaled.permute(2, 3, 4, 1, 0), bias));
    }

    /** A 1x1x1 convolution as {@link ChannelsLast#pointwiseConv}: per group, a matrix product and a bias. */
    static FoldedConvolution pointwiseConv(SameDiff sd, String name, String module, Tensor x, int groups,
            long[] shape, DataType dataType) {
        long in = x.channels();
        long outPerGroup = shape[0] / groups;
        SDVariable[] inputs = ChannelsLast.groupsOf(sd, x, groups);
        SDVariable[] outputs = new SDVariable[groups];
        List<SDVariable> constants = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            SDVariable[] folded = weightAndBias(sd, name, groups == 1 ? "" : String.valueOf(g),
                    new long[] {in / groups, outPerGroup}, dataType);
            constants.addAll(List.of(folded));
            outputs[g] = sd.mmul(ChannelsLast.rows(inputs[g], in / groups), folded[0]).add(folded[1]);
        }
        SDVariable y = ChannelsLast.positions(sd, name, outputs, shape);
        return new FoldedConvolution(module, y, constants, (scaled, bias) -> {
            List<INDArray> values = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                INDArrayIndex rows = NDArrayIndex.interval(g * outPerGroup, (g + 1) * outPerGroup);
                values.add(scaled.get(rows).reshape(outPerGroup, in / groups).transpose());
                values.add(bias.get(rows));
            }
            return values;
        });
    }

    /** The depthwise convolution as {@link ChannelsLast#perTimeTap}: a kernel [3, 3, C, 1] per tap, one bias. */
    static FoldedConvolution depthwiseConv3d(SameDiff sd, String name, String module, Tensor x, int stride,
            DataType dataType) {
        long c = x.channels();
        SDVariable[] kernels = new SDVariable[3];
        List<SDVariable> constants = new ArrayList<>();
        for (int tap = 0; tap < 3; tap++) {
            kernels[tap] = sd.constant(name + WEIGHT_SUFFIX + tap, Nd4j.zeros(dataType, 3, 3, c, 1));
            constants.add(kernels[tap]);
        }
        SDVariable bias = sd.constant(name + BIAS_SUFFIX, Nd4j.zeros(dataType, c));
        constants.add(bias);
        SDVariable y = ChannelsLast.perTimeTap(sd, name, x, kernels, bias, stride);
        return new FoldedConvolution(module, y, constants, (scaled, shift) -> {
            List<INDArray> values = new ArrayList<>();
            for (int tap = 0; tap < 3; tap++) {
                values.add(scaled.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.point(tap),
                        NDArrayIndex.all(), NDArrayIndex.all()).permute(1, 2, 0).reshape('c', 3, 3, c, 1));
            }
            values.add(shift);
            return values;
        });
    }

    /** Zero-filled constants for a folded convolution's weight (ND4J's layout) and bias. */
    private static SDVariable[] weightAndBias(SameDiff sd, String name, String part, long[] nd4jWeightShape,
            DataType dataType) {
        return new SDVariable[] {
            sd.constant(name + WEIGHT_SUFFIX + part, Nd4j.zeros(dataType, nd4jWeightShape)),
            sd.constant(name + BIAS_SUFFIX + part, Nd4j.zeros(dataType, nd4jWeightShape[nd4jWeightShape.length - 1]))};
    }

    /** The convolution's state_dict prefix (its weight is {@code <prefix>.weight}). */
    public String convolution() {
        return convolution;
    }

    SDVariable output() {
        return output;
    }

    void foldBatchNorm(String module) {
        batchNorm = module;
    }

    /**
     * Derives the constants again from the parameters, given by state_dict name: the convolution's weight and,
     * when a batch norm follows it, that batch norm's weight, bias, running mean and running variance.
     */
    public void update(Map<String, INDArray> parameters) {
        INDArray weight = parameters.get(convolution + ".weight");
        long out = weight.size(0);
        INDArray scale;
        INDArray shift;
        if (batchNorm == null) {
            scale = Nd4j.ones(weight.dataType(), out);
            shift = Nd4j.zeros(weight.dataType(), out);
        } else {
            INDArray variance = parameters.get(batchNorm + ".running_var");
            scale = parameters.get(batchNorm + ".weight")
                    .div(Transforms.sqrt(variance.add(NetworkBuilder.BATCH_NORM_EPSILON), false));
            shift = parameters.get(batchNorm + ".bias").sub(parameters.get(batchNorm + ".running_mean").mul(scale));
        }
        long[] perOutput = new long[weight.rank()];
        Arrays.fill(perOutput, 1);
        perOutput[0] = out;
        List<INDArray> values = derivation.derive(weight.mul(scale.reshape(perOutput)), shift);
        for (int i = 0; i < values.size(); i++) {
            constants.get(i).getArr().assign(values.get(i));
        }
    }
}
