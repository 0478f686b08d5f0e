package org.shufflenet3d.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The reference's layers, one method per kind, as the network declarations call them: each creates the layer's
 * parameters, named and shaped exactly as the reference's state_dict entries (convolution weights
 * [out, in/groups, kD, kH, kW]), works out its output shape and records a summary row with its FLOPs; the form the
 * builder was made for declares the ops. The forms, one class each:
 * <ul>
 * <li>{@link #inference}: batch norm with the running statistics, dropout the identity; only ND4J's own ops, so that
 * SameDiff runs and saves the graph ({@link InferenceForm}).</li>
 * <li>{@link #training}: batch norm with the batch's statistics and a gradient of its own, ReLU's gradient from its
 * output, dropout by a fed mask ({@link TrainingForm}).</li>
 * <li>{@link #foldedInference}: each convolution and the batch norm after it as one convolution with a bias, from
 * constants derived from the parameters; the fastest form, with no gradient to the parameters
 * ({@link FoldedForm}).</li>
 * <li>{@link #shapes} and {@link #initialWeights}: no graph, only the parameters' shapes, the layers' summary and,
 * for the latter, the parameters' initial values ({@link ShapesOnly}).</li>
 * </ul>
 * The graph forms take and give the reference's NCDHW layout but compute in NDHWC, channels last, where oneDNN's
 * convolutions and pooling are several times faster, a 1x1x1 convolution is one matrix product, and batch norm
 * scales rows.
 */
public abstract sealed class NetworkBuilder permits GraphForm, ShapesOnly {

    /** PyTorch's BatchNorm3d default. */
    public static final double BATCH_NORM_EPSILON = 1e-5;

    final DataType dataType;
    private final List<LayerSummary> layers = new ArrayList<>();
    private final Map<String, ParameterKind> parameters = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    /** Whether the optimiser updates a parameter, or the layer keeps it as state (batch-norm running statistics). */
    public enum ParameterKind { TRAINABLE, BUFFER }

    /** A new parameter's value as PyTorch initialises it, drawn from {@code random} when it is random. */
    @FunctionalInterface
    public interface Initialization {
        INDArray draw(Random random);
    }

    /** Where a graph's parameters come from. */
    @FunctionalInterface
    public interface ParameterSource {
        /** The variable for a parameter; {@code initialization} gives its value when a new one is made. */
        SDVariable parameter(SameDiff sd, String name, long[] shape, Initialization initialization);
    }

    /** Parameters become new graph variables, initialised as PyTorch initialises them from a generator of this seed. */
    public static ParameterSource newVariables(long seed) {
        Random random = Nd4j.getRandomFactory().getNewRandomInstance(seed);
        return (sd, name, shape, initialization) -> sd.var(name, initialization.draw(random));
    }

    /** Parameters are the given arrays by state_dict name, as graph variables: a form on another form's values. */
    public static ParameterSource sharedVariables(Map<String, INDArray> values) {
        return (sd, name, shape, initialization) -> sd.var(name, values.get(name));
    }

    /** Parameters are placeholders named as the state_dict entries, fed at each run. */
    public static ParameterSource placeholders(DataType dataType) {
        return (sd, name, shape, initialization) -> sd.placeHolder(name, dataType, shape);
    }

    /** The inference form in {@code sd}; {@code dataType} is FLOAT, or DOUBLE to check numerics. */
    public static InferenceForm inference(SameDiff sd, ParameterSource parameters, DataType dataType) {
        return new InferenceForm(sd, parameters, dataType);
    }

    /** The training form in {@code sd}. */
    public static TrainingForm training(SameDiff sd, ParameterSource parameters, DataType dataType) {
        return new TrainingForm(sd, parameters, dataType);
    }

    /** The folded inference form in {@code sd}: its constants follow the parameters through {@link FoldedForm}. */
    public static FoldedForm foldedInference(SameDiff sd, ParameterSource parameters, DataType dataType) {
        return new FoldedForm(sd, parameters, dataType);
    }

    /** No graph: the parameters' names, kinds and shapes, the layers' summary and the output's shape. */
    public static ShapesOnly shapes() {
        return new ShapesOnly(null, DataType.FLOAT);
    }

    /** No graph: as {@link #shapes}, with the values {@link #newVariables} of the same seed would give. */
    public static ShapesOnly initialWeights(long seed, DataType dataType) {
        return new ShapesOnly(Nd4j.getRandomFactory().getNewRandomInstance(seed), dataType);
    }

    NetworkBuilder(DataType dataType) {
        this.dataType = dataType;
    }

    public List<LayerSummary> layers() {
        return layers;
    }

    public Map<String, ParameterKind> parameters() {
        return parameters;
    }

    /** Each parameter's shape, as in the reference's state_dict, in declaration order. */
    public Map<String, long[]> parameterShapes() {
        return shapes;
    }

    /** A placeholder of clips [N, C, D, H, W], the reference's layout. */
    public Tensor input(String name, long channels, long frames, long height, long width) {
        return new Tensor(clips(name, channels, frames, height, width), channels, frames, height, width);
    }

    /**
     * Conv3d(bias=False) with a cubic kernel; stride per (D, H, W). The networks' stem, reading the clips: no form
     * needs the gradient of its input.
     */
    public Tensor conv3d(String module, Tensor x, int outChannels, int kernel, int[] stride, int padding) {
        long[] weightShape = {outChannels, x.channels(), kernel, kernel, kernel};
        SDVariable weight = kaimingUniform(module + ".weight", weightShape);
        long[] shape = {outChannels,
                outputSize(x.shape()[1], kernel, stride[0], padding),
                outputSize(x.shape()[2], kernel, stride[1], padding),
                outputSize(x.shape()[3], kernel, stride[2], padding)};
        SDVariable y = conv3d(module, x, weight, weightShape, stride, padding);
        return recordConvolution(module, new Tensor(y, shape), (long) kernel * kernel * kernel * x.channels());
    }

    /**
     * Conv3d(kernel 1, groups, bias=False): the input channels split into {@code groups} parts, each multiplied by
     * its part of the weight, outputs concatenated in group order.
     */
    public Tensor pointwiseConv(String module, Tensor x, int outChannels, int groups) {
        long in = x.channels();
        SDVariable weight = kaimingUniform(module + ".weight", outChannels, in / groups, 1, 1, 1);
        long[] shape = x.shape().clone();
        shape[0] = outChannels;
        return recordConvolution(module, new Tensor(pointwiseConv(module, x, weight, groups, shape), shape),
                in / groups);
    }

    /** Conv3d(C, C, kernel 3, stride, padding 1, groups=C, bias=False). */
    public Tensor depthwiseConv3d(String module, Tensor x, int stride) {
        long c = x.channels();
        SDVariable weight = kaimingUniform(module + ".weight", c, 1, 3, 3, 3);
        long[] shape = {c,
                outputSize(x.shape()[1], 3, stride, 1),
                outputSize(x.shape()[2], 3, stride, 1),
                outputSize(x.shape()[3], 3, stride, 1)};
        return recordConvolution(module, new Tensor(depthwiseConv3d(module, x, weight, stride, shape), shape), 27);
    }

    /** BatchNorm3d: γ and β trained, the running mean and variance kept as state. */
    public Tensor batchNorm(String module, Tensor x) {
        long c = x.channels();
        long[] shape = {c};
        SDVariable gamma = parameter(module + ".weight", ParameterKind.TRAINABLE, shape,
                random -> Nd4j.ones(dataType, c));
        SDVariable beta = parameter(module + ".bias", ParameterKind.TRAINABLE, shape,
                random -> Nd4j.zeros(dataType, c));
        SDVariable mean = parameter(module + ".running_mean", ParameterKind.BUFFER, shape,
                random -> Nd4j.zeros(dataType, c));
        SDVariable variance = parameter(module + ".running_var", ParameterKind.BUFFER, shape,
                random -> Nd4j.ones(dataType, c));
        SDVariable y = batchNorm(module, x, gamma, beta, mean, variance);
        return record(module, "BatchNorm3d", new Tensor(y, x.shape()), 2 * c, 2);
    }

    public Tensor relu(String module, Tensor x) {
        return record(module, "ReLU", new Tensor(relu(module, x.variable()), x.shape()), 0, 1);
    }

    /** MaxPool3d(kernel 3, stride 2, padding 1). */
    public Tensor maxPool3d(String module, Tensor x) {
        long[] shape = {x.channels(), outputSize(x.shape()[1], 3, 2, 1),
                outputSize(x.shape()[2], 3, 2, 1), outputSize(x.shape()[3], 3, 2, 1)};
        return record(module, "MaxPool3d", new Tensor(maxPool3d(module, x.variable()), shape), 0, 2);
    }

    /**
     * AvgPool3d(kernel (2,3,3), stride 2, padding (0,1,1)) counting the zero padding in the average, as PyTorch
     * does by default.
     */
    public Tensor shortcutAvgPool3d(String module, Tensor x) {
        long[] shape = {x.channels(), outputSize(x.shape()[1], 2, 2, 0),
                outputSize(x.shape()[2], 3, 2, 1), outputSize(x.shape()[3], 3, 2, 1)};
        return record(module, "AvgPool3d", new Tensor(shortcutAvgPool3d(module, x.variable()), shape), 0, 18);
    }

    /** The reference's channel_shuffle: channels as [g, C/g], transposed to [C/g, g]. */
    public Tensor channelShuffle(Tensor x, int groups) {
        return new Tensor(channelShuffle(x.variable(), x.shape(), groups), x.shape());
    }

    /** The first and second half of the channels. */
    public Tensor[] splitChannelsInHalf(Tensor x) {
        SDVariable[] halves = channelGroups(x, 2);
        long[] shape = x.shape().clone();
        shape[0] = x.channels() / 2;
        return new Tensor[] {new Tensor(halves[0], shape), new Tensor(halves[1], shape.clone())};
    }

    public Tensor concatChannels(Tensor first, Tensor second) {
        long[] shape = first.shape().clone();
        shape[0] = first.channels() + second.channels();
        return new Tensor(concatChannels(first.variable(), second.variable()), shape);
    }

    /**
     * {@link #channelShuffle} with 2 groups of {@link #concatChannels}: the two tensors' channels interleaved,
     * first[0], second[0], first[1], ....
     */
    public Tensor concatAndShuffleChannels(Tensor first, Tensor second) {
        long[] shape = first.shape().clone();
        shape[0] = first.channels() + second.channels();
        return new Tensor(interleaveChannels(first.variable(), second.variable(), shape), shape);
    }

    public Tensor add(Tensor a, Tensor b) {
        return new Tensor(add(a.variable(), b.variable()), a.shape());
    }

    /** The average over frames, height and width: [N,C,D,H,W] → [N,C]. */
    public Tensor globalAveragePool(Tensor x) {
        return new Tensor(globalAveragePool(x.variable()), x.channels());
    }

    /** Dropout with drop probability p. */
    public Tensor dropout(String module, Tensor x, double p) {
        return record(module, "Dropout", new Tensor(dropout(module, x.variable(), x.channels(), p), x.shape()), 0, 0);
    }

    /** Linear(in, out) with bias: y = x·Wᵀ + b, W shaped [out, in]. */
    public Tensor linear(String module, Tensor x, int outFeatures) {
        long in = x.channels();
        double bound = 1.0 / Math.sqrt(in);
        long[] weightShape = {outFeatures, in};
        long[] biasShape = {outFeatures};
        SDVariable weight = parameter(module + ".weight", ParameterKind.TRAINABLE, weightShape,
                random -> uniform(random, bound, weightShape));
        SDVariable bias = parameter(module + ".bias", ParameterKind.TRAINABLE, biasShape,
                random -> uniform(random, bound, biasShape));
        return record(module, "Linear", new Tensor(linear(module, x.variable(), weight, bias), outFeatures),
                in * outFeatures + outFeatures, 2 * in - 1);
    }

    // The ops of each layer in the builder's form: channels-last feature maps [N, D, H, W, C] in and out.

    abstract SDVariable parameter(String name, long[] shape, Initialization initialization);

    abstract SDVariable clips(String name, long channels, long frames, long height, long width);

    /** {@code weightShape}: PyTorch's [out, in, k, k, k]. */
    abstract SDVariable conv3d(String module, Tensor x, SDVariable weight, long[] weightShape, int[] stride,
            int padding);

    abstract SDVariable pointwiseConv(String module, Tensor x, SDVariable weight, int groups, long[] shape);

    abstract SDVariable depthwiseConv3d(String module, Tensor x, SDVariable weight, int stride, long[] shape);

    abstract SDVariable batchNorm(String module, Tensor x, SDVariable gamma, SDVariable beta, SDVariable mean,
            SDVariable variance);

    abstract SDVariable relu(String module, SDVariable x);

    abstract SDVariable maxPool3d(String module, SDVariable x);

    abstract SDVariable shortcutAvgPool3d(String module, SDVariable x);

    abstract SDVariable channelShuffle(SDVariable x, long[] shape, int groups);

    abstract SDVariable[] channelGroups(Tensor x, int groups);

    abstract SDVariable concatChannels(SDVariable first, SDVariable second);

    abstract SDVariable interleaveChannels(SDVariable first, SDVariable second, long[] shape);

    abstract SDVariable add(SDVariable a, SDVariable b);

    abstract SDVariable globalAveragePool(SDVariable x);

    abstract SDVariable dropout(String module, SDVariable x, long features, double p);

    abstract SDVariable linear(String module, SDVariable x, SDVariable weight, SDVariable bias);

    private SDVariable kaimingUniform(String name, long... shape) {
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        double bound = 1.0 / Math.sqrt(fanIn);
        return parameter(name, ParameterKind.TRAINABLE, shape, random -> uniform(random, bound, shape));
    }

    private INDArray uniform(Random random, double bound, long... shape) {
        return Nd4j.rand(random, shape).castTo(dataType).subi(0.5).muli(2 * bound);
    }

    private SDVariable parameter(String name, ParameterKind kind, long[] shape, Initialization initialization) {
        parameters.put(name, kind);
        shapes.put(name, shape);
        return parameter(name, shape, initialization);
    }

    static long outputSize(long in, int kernel, int stride, int padding) {
        return Math.floorDiv(in + 2L * padding - kernel, stride) + 1;
    }

    private Tensor recordConvolution(String module, Tensor y, long flopsPerOutput) {
        return record(module, "Conv3d", y, ArrayUtil.prodLong(shapes.get(module + ".weight")), flopsPerOutput);
    }

    private Tensor record(String module, String type, Tensor y, long params, long flopsPerOutput) {
        layers.add(new LayerSummary(module, type, y.shape(), params, flopsPerOutput * y.elements()));
        return y;
    }
}
