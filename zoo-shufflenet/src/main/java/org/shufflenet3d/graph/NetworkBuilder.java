package org.shufflenet3d.graph;

import static org.nd4j.linalg.api.buffer.DataType.FLOAT;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling3D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv3DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling3DConfig;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Declares the reference's layers in a SameDiff graph, one method per kind of layer. Parameters are graph variables
 * named and shaped exactly as the reference's state_dict entries (convolution weights [out, in/groups, kD, kH, kW]);
 * each layer records a summary row as it is declared. The graph takes and gives the reference's NCDHW layout
 * ({@link #input}, {@link #output}) but computes in NDHWC, channels last, where oneDNN's convolutions and pooling are
 * several times faster, a 1x1x1 convolution is one matrix product, and batch norm scales rows.
 */
public final class NetworkBuilder {

    /** PyTorch's BatchNorm3d default. */
    public static final double BATCH_NORM_EPSILON = 1e-5;

    private static final String NDHWC = "NDHWC";
    /** The channel axis of a feature map [N, D, H, W, C]. */
    private static final int CHANNELS = 4;

    private final SameDiff sd;
    private final ParameterSource source;
    private final Random random;
    private final List<LayerSummary> layers = new ArrayList<>();
    private final Map<String, ParameterKind> parameters = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Mode mode;
    private final DataType dataType;
    private final List<BatchStatistics> batchStatistics = new ArrayList<>();
    private final List<DropoutMask> dropoutMasks = new ArrayList<>();
    private final Map<String, FoldedConvolution> foldedByOutput = new LinkedHashMap<>();

    /** Whether the optimiser updates a parameter, or the layer keeps it as state (batch-norm running statistics). */
    public enum ParameterKind { TRAINABLE, BUFFER }

    /** Where the graph's parameters come from. */
    @FunctionalInterface
    public interface ParameterSource {
        /** The variable for a parameter; {@code initialValue} gives PyTorch's initialisation when one is made. */
        SDVariable parameter(SameDiff sd, String name, long[] shape, Supplier<INDArray> initialValue);
    }

    /** Parameters become new graph variables, initialised as PyTorch initialises them. */
    public static final ParameterSource NEW_VARIABLES =
        (sd, name, shape, initialValue) -> sd.var(name, initialValue.get());

    /**
     * Which form of batch norm and dropout the graph takes. Inference: batch norm with the running statistics,
     * dropout the identity; only ND4J's own ops, so that SameDiff runs and saves the graph. Training: batch norm
     * with the batch's statistics (biased variance), which it exposes so the running statistics can be updated, and a
     * gradient of its own ({@link TrainingBatchNorm}); ReLU's gradient from its output; dropout multiplies by a mask
     * the caller feeds. Folded inference: inference with each convolution and the batch norm after it computed as
     * one convolution with a bias, from constants the caller derives from the parameters
     * ({@link #foldedConvolutions()}) whenever they change; the fastest form, with no gradient to the parameters.
     */
    public enum Mode { INFERENCE, TRAINING, FOLDED_INFERENCE }

    /** PyTorch's BatchNorm3d default. */
    public static final double BATCH_NORM_MOMENTUM = 0.1;

    /** The statistics a training-form batch norm computed from its batch, and how many values each channel saw. */
    public record BatchStatistics(String module, SDVariable mean, SDVariable biasedVariance, long valuesPerSample) {

        /**
         * Moves the running statistics among {@code parameters} (by state_dict name) towards a batch's, as PyTorch
         * does: momentum 0.1, the variance unbiased.
         */
        public void updateRunning(Map<String, INDArray> parameters, INDArray batchMean, INDArray batchBiasedVariance,
                long batchSize) {
            long count = batchSize * valuesPerSample;
            double unbiased = count > 1 ? (double) count / (count - 1) : 1.0;
            INDArray runningMean = parameters.get(module + ".running_mean").muli(1 - BATCH_NORM_MOMENTUM);
            Nd4j.getBlasWrapper().level1().axpy(batchMean.length(), BATCH_NORM_MOMENTUM, batchMean, runningMean);
            INDArray runningVariance = parameters.get(module + ".running_var").muli(1 - BATCH_NORM_MOMENTUM);
            Nd4j.getBlasWrapper().level1().axpy(batchMean.length(), BATCH_NORM_MOMENTUM * unbiased,
                    batchBiasedVariance, runningVariance);
        }
    }

    /** A training-form dropout's mask placeholder [N, features]: 0, or 1/(1-p) for kept values. */
    public record DropoutMask(String placeholder, long features, double dropProbability) {
    }

    public NetworkBuilder(SameDiff sd, long seed) {
        this(sd, seed, NEW_VARIABLES, Mode.INFERENCE, FLOAT);
    }

    public NetworkBuilder(SameDiff sd, long seed, ParameterSource source) {
        this(sd, seed, source, Mode.INFERENCE, FLOAT);
    }

    /** @param dataType the graph's floating-point type: FLOAT, or DOUBLE to check numerics */
    public NetworkBuilder(SameDiff sd, long seed, ParameterSource source, Mode mode, DataType dataType) {
        this.sd = sd;
        this.source = source;
        this.mode = mode;
        this.dataType = dataType;
        this.random = Nd4j.getRandomFactory().getNewRandomInstance(seed);
    }

    /** The batch statistics of every batch norm, in training form. */
    public List<BatchStatistics> batchStatistics() {
        return batchStatistics;
    }

    /** The convolutions of the folded inference form, each with the batch norm after it, in declaration order. */
    public List<FoldedConvolution> foldedConvolutions() {
        return List.copyOf(foldedByOutput.values());
    }

    /** The dropout masks to feed, in training form. */
    public List<DropoutMask> dropoutMasks() {
        return dropoutMasks;
    }

    public SameDiff sameDiff() {
        return sd;
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
        SDVariable clips = sd.placeHolder(name, dataType, -1, channels, frames, height, width);
        return fromReferenceLayout(clips, channels, frames, height, width);
    }

    /** A feature map [N, C, D, H, W] (the reference's layout) as the tensors of this graph take it. */
    public Tensor fromReferenceLayout(SDVariable clips, long channels, long frames, long height, long width) {
        return new Tensor(clips.permute(0, 2, 3, 4, 1), channels, frames, height, width);
    }

    /** Marks a tensor as an output under the given name, feature maps in the reference's layout [N, C, D, H, W]. */
    public SDVariable output(Tensor x, String name) {
        return x.shape().length == 4 ? sd.permute(name, x.variable(), 0, 4, 1, 2, 3) : sd.identity(name, x.variable());
    }

    /**
     * Conv3d(bias=False) with a cubic kernel; stride per (D, H, W). The networks' stem, reading the clips: its
     * training form computes no gradient for its input ({@link InputConvolution}).
     */
    public Tensor conv3d(String module, Tensor x, int outChannels, int kernel, int[] stride, int padding) {
        long in = x.channels();
        SDVariable weight = kaimingUniform(module + ".weight", outChannels, in, kernel, kernel, kernel);
        Conv3DConfig.Conv3DConfigBuilder config = Conv3DConfig.builder().kD(kernel).kH(kernel).kW(kernel)
                .sD(stride[0]).sH(stride[1]).sW(stride[2])
                .pD(padding).pH(padding).pW(padding)
                .dataFormat(NDHWC);
        SDVariable y;
        String name = uniqueName(module);
        if (mode == Mode.FOLDED_INFERENCE) {
            SDVariable[] folded = foldedWeightAndBias(name, "", new long[] {kernel, kernel, kernel, in, outChannels});
            y = sd.cnn.conv3d(name, x.variable(), folded[0], folded[1], config.biasUsed(true).build());
            fold(module, new FoldedConvolution.Form(y, List.of(folded),
                    (scaled, bias) -> List.of(scaled.permute(2, 3, 4, 1, 0), bias)));
        } else if (mode == Mode.TRAINING) {
            y = sd.updateVariableNameAndReference(new InputConvolution(sd, x.variable(), toNd4jConvWeights(weight),
                    config.biasUsed(false).build()).outputVariable(), name);
        } else {
            y = sd.cnn.conv3d(name, x.variable(), toNd4jConvWeights(weight), config.biasUsed(false).build());
        }
        long[] shape = {outChannels,
                outputSize(x.shape()[1], kernel, stride[0], padding),
                outputSize(x.shape()[2], kernel, stride[1], padding),
                outputSize(x.shape()[3], kernel, stride[2], padding)};
        return recordConvolution(module, new Tensor(y, shape), (long) kernel * kernel * kernel * in);
    }

    /**
     * Conv3d(kernel 1, groups, bias=False): the input channels split into {@code groups} parts, each multiplied by
     * its part of the weight, outputs concatenated in group order. Channels last, a 1x1x1 convolution is a matrix
     * product of the positions' rows [N·D·H·W, C/g] with the weight: oneDNN's 1x1x1 conv3d took several times as
     * long, its backward pass four times.
     */
    public Tensor pointwiseConv(String module, Tensor x, int outChannels, int groups) {
        long in = x.channels();
        SDVariable weight = kaimingUniform(module + ".weight", outChannels, in / groups, 1, 1, 1);
        String name = uniqueName(module);
        long[] shape = x.shape().clone();
        shape[0] = outChannels;
        SDVariable[] inputs = groupsOf(x, groups);
        SDVariable[] outputs = new SDVariable[groups];
        if (mode == Mode.FOLDED_INFERENCE) {
            long outPerGroup = outChannels / groups;
            List<SDVariable> constants = new ArrayList<>();
            for (int g = 0; g < groups; g++) {
                SDVariable[] folded = foldedWeightAndBias(name, groups == 1 ? "" : String.valueOf(g),
                        new long[] {in / groups, outPerGroup});
                constants.addAll(List.of(folded));
                outputs[g] = sd.mmul(rows(inputs[g], in / groups), folded[0]).add(folded[1]);
            }
            SDVariable y = positions(name, outputs, shape);
            fold(module, new FoldedConvolution.Form(y, constants, (scaled, bias) -> {
                List<INDArray> values = new ArrayList<>();
                for (int g = 0; g < groups; g++) {
                    INDArrayIndex rows = NDArrayIndex.interval(g * outPerGroup, (g + 1) * outPerGroup);
                    values.add(scaled.get(rows).reshape(outPerGroup, in / groups).transpose());
                    values.add(bias.get(rows));
                }
                return values;
            }));
            return recordConvolution(module, new Tensor(y, shape), in / groups);
        }
        SDVariable[] weights = groups == 1 ? new SDVariable[] {weight.reshape(outChannels, in)}
                : sd.split(weight.reshape(outChannels, in / groups), groups, 0);
        for (int g = 0; g < groups; g++) {
            outputs[g] = sd.mmul(rows(inputs[g], in / groups), weights[g], false, true, false);
        }
        return recordConvolution(module, new Tensor(positions(name, outputs, shape), shape), in / groups);
    }

    /** A feature map [N, D, H, W, C] as rows [N·D·H·W, C]. */
    private static SDVariable rows(SDVariable map, long channels) {
        return map.reshape(-1, channels);
    }

    /** Rows of each group's output channels back into one feature map with the groups' channels concatenated. */
    private SDVariable positions(String name, SDVariable[] groupRows, long[] shape) {
        SDVariable rows = groupRows.length == 1 ? groupRows[0] : sd.concat(1, groupRows);
        return sd.reshape(name, rows, -1, shape[1], shape[2], shape[3], shape[0]);
    }

    /**
     * Conv3d(C, C, kernel 3, stride, padding 1, groups=C, bias=False) as one 2D depthwise convolution per temporal
     * tap: frames folded into the batch, each tap's frames taken from the input padded by a zero frame at either
     * end, the three results summed. oneDNN runs the 2D depthwise convolution channels-last an order of magnitude
     * faster than a 3D convolution with a diagonal kernel.
     */
    public Tensor depthwiseConv3d(String module, Tensor x, int stride) {
        long c = x.channels();
        SDVariable weight = kaimingUniform(module + ".weight", c, 1, 3, 3, 3);
        String name = uniqueName(module);
        SDVariable y;
        if (mode == Mode.FOLDED_INFERENCE) {
            SDVariable[] kernels = new SDVariable[3];
            List<SDVariable> constants = new ArrayList<>();
            for (int tap = 0; tap < 3; tap++) {
                kernels[tap] = sd.constant(name + FoldedConvolution.WEIGHT_SUFFIX + tap,
                        Nd4j.zeros(dataType, 3, 3, c, 1));
                constants.add(kernels[tap]);
            }
            SDVariable bias = sd.constant(name + FoldedConvolution.BIAS_SUFFIX, Nd4j.zeros(dataType, c));
            constants.add(bias);
            y = perTimeTap(name, x, kernels, bias, stride);
            fold(module, new FoldedConvolution.Form(y, constants, (scaled, shift) -> {
                List<INDArray> values = new ArrayList<>();
                for (int tap = 0; tap < 3; tap++) {
                    values.add(scaled.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.point(tap),
                            NDArrayIndex.all(), NDArrayIndex.all()).permute(1, 2, 0).reshape('c', 3, 3, c, 1));
                }
                values.add(shift);
                return values;
            }));
        } else {
            y = perTimeTap(name, x, sd.unstack(weight.permute(2, 3, 4, 0, 1), 0, 3), null, stride);
        }
        long[] shape = {c,
                outputSize(x.shape()[1], 3, stride, 1),
                outputSize(x.shape()[2], 3, stride, 1),
                outputSize(x.shape()[3], 3, stride, 1)};
        return recordConvolution(module, new Tensor(y, shape), 27);
    }

    /**
     * The depthwise convolution's three taps ({@code kernels}: [3, 3, C, 1] each), {@code bias} (when not null) added
     * with the first, summed.
     */
    private SDVariable perTimeTap(String name, Tensor x, SDVariable[] kernels, SDVariable bias, int stride) {
        long[] s = x.shape();
        long c = s[0];
        long outFrames = outputSize(s[1], 3, stride, 1);
        long outHeight = outputSize(s[2], 3, stride, 1);
        long outWidth = outputSize(s[3], 3, stride, 1);
        SDVariable padded = sd.nn.pad(x.variable(),
                sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {1, 1}, {0, 0}, {0, 0}, {0, 0}})), 0.0);
        Conv2DConfig config = Conv2DConfig.builder().kH(3).kW(3).sH(stride).sW(stride).pH(1).pW(1)
                .dataFormat("NHWC").build();
        SDVariable sum = null;
        for (int tap = 0; tap < 3; tap++) {
            SDVariable frames = stride == 1 && tap == 1 ? x.variable() : sd.stridedSlice(padded,
                    new long[] {0, tap, 0, 0, 0},
                    new long[] {0, tap + stride * (outFrames - 1) + 1, s[2], s[3], c},
                    new long[] {1, stride, 1, 1, 1}, 1, 1, 0, 0, 0);
            SDVariable batched = frames.reshape(-1, s[2], s[3], c);
            SDVariable filtered = (tap == 0 && bias != null
                    ? sd.cnn.depthWiseConv2d(batched, kernels[tap], bias, config)
                    : sd.cnn.depthWiseConv2d(batched, kernels[tap], config))
                    .reshape(-1, outFrames, outHeight, outWidth, c);
            sum = sum == null ? filtered : tap == 2 ? sum.add(name, filtered) : sum.add(filtered);
        }
        return sum;
    }

    /**
     * BatchNorm3d. Inference form: normalised with the running statistics, which no gradient reaches. Training
     * form: normalised with the batch's mean and biased variance over (N, D, H, W) ({@link TrainingBatchNorm}).
     */
    public Tensor batchNorm(String module, Tensor x) {
        long c = x.channels();
        long[] shape = {c};
        SDVariable gamma = parameter(module + ".weight", ParameterKind.TRAINABLE, shape, () -> Nd4j.ones(dataType, c));
        SDVariable beta = parameter(module + ".bias", ParameterKind.TRAINABLE, shape, () -> Nd4j.zeros(dataType, c));
        SDVariable mean = parameter(module + ".running_mean", ParameterKind.BUFFER, shape,
                () -> Nd4j.zeros(dataType, c));
        SDVariable variance = parameter(module + ".running_var", ParameterKind.BUFFER, shape,
                () -> Nd4j.ones(dataType, c));
        FoldedConvolution convolution = foldedByOutput.get(x.variable().name());
        if (convolution != null) {
            convolution.foldBatchNorm(module);
            return record(module, "BatchNorm3d", x, 2 * c, 2);
        }
        SDVariable y;
        if (mode == Mode.TRAINING) {
            TrainingBatchNorm bn = new TrainingBatchNorm(sd, x.variable(), gamma, beta, BATCH_NORM_EPSILON);
            y = sd.updateVariableNameAndReference(bn.output(), uniqueName(module));
            batchStatistics.add(new BatchStatistics(module, bn.mean(), bn.biasedVariance(), x.elements() / c));
        } else {
            SDVariable scale = gamma.div(sd.math.sqrt(heldFixed(variance).add(BATCH_NORM_EPSILON)));
            SDVariable shift = beta.sub(heldFixed(mean).mul(scale));
            y = x.variable().mul(scale).add(uniqueName(module), shift);
        }
        return record(module, "BatchNorm3d", new Tensor(y, x.shape()), 2 * c, 2);
    }

    public Tensor relu(String module, Tensor x) {
        SDVariable y = mode == Mode.TRAINING
                ? sd.updateVariableNameAndReference(new Relu(sd, x.variable()).outputVariable(), uniqueName(module))
                : sd.nn.relu(uniqueName(module), x.variable(), 0);
        return record(module, "ReLU", new Tensor(y, x.shape()), 0, 1);
    }

    /** MaxPool3d(kernel 3, stride 2, padding 1). */
    public Tensor maxPool3d(String module, Tensor x) {
        SDVariable y = sd.cnn.maxPooling3d(uniqueName(module), x.variable(), Pooling3DConfig.builder()
                .kD(3).kH(3).kW(3).sD(2).sH(2).sW(2).pD(1).pH(1).pW(1)
                .type(Pooling3D.Pooling3DType.MAX).isNCDHW(false).build());
        long[] shape = {x.channels(), outputSize(x.shape()[1], 3, 2, 1),
                outputSize(x.shape()[2], 3, 2, 1), outputSize(x.shape()[3], 3, 2, 1)};
        return record(module, "MaxPool3d", new Tensor(y, shape), 0, 2);
    }

    /**
     * AvgPool3d(kernel (2,3,3), stride 2, padding (0,1,1)) counting the zero padding in the average, as PyTorch
     * does by default: the input is zero-padded explicitly and pooled without padding.
     */
    public Tensor shortcutAvgPool3d(String module, Tensor x) {
        SDVariable padded = sd.nn.pad(x.variable(),
                sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {1, 1}, {1, 1}, {0, 0}})), 0.0);
        SDVariable y = sd.cnn.avgPooling3d(uniqueName(module), padded, Pooling3DConfig.builder()
                .kD(2).kH(3).kW(3).sD(2).sH(2).sW(2)
                .type(Pooling3D.Pooling3DType.AVG).isNCDHW(false).build());
        long[] shape = {x.channels(), outputSize(x.shape()[1], 2, 2, 0),
                outputSize(x.shape()[2], 3, 2, 1), outputSize(x.shape()[3], 3, 2, 1)};
        return record(module, "AvgPool3d", new Tensor(y, shape), 0, 18);
    }

    /**
     * The reference's channel_shuffle: channels as [g, C/g], transposed to [C/g, g]. The inference form is ND4J's
     * reshape and permute; the forms that {@link GraphExecutor} runs take the same values in one pass
     * ({@link ChannelShuffle}).
     */
    public Tensor channelShuffle(Tensor x, int groups) {
        long[] s = x.shape();
        if (mode != Mode.INFERENCE) {
            return new Tensor(new ChannelShuffle(sd, x.variable(), s[0], groups).outputVariable(), s);
        }
        SDVariable grouped = x.variable().reshape(-1, s[1], s[2], s[3], groups, s[0] / groups);
        SDVariable shuffled = grouped.permute(0, 1, 2, 3, 5, 4).reshape(-1, s[1], s[2], s[3], s[0]);
        return new Tensor(shuffled, s);
    }

    /** The first and second half of the channels. */
    public Tensor[] splitChannelsInHalf(Tensor x) {
        SDVariable[] halves = groupsOf(x, 2);
        long[] shape = x.shape().clone();
        shape[0] = x.channels() / 2;
        return new Tensor[] {new Tensor(halves[0], shape), new Tensor(halves[1], shape.clone())};
    }

    public Tensor concatChannels(Tensor first, Tensor second) {
        long[] shape = first.shape().clone();
        shape[0] = first.channels() + second.channels();
        return new Tensor(sd.concat(CHANNELS, first.variable(), second.variable()), shape);
    }

    /**
     * {@link #channelShuffle} with 2 groups of {@link #concatChannels}: the two tensors' channels interleaved,
     * first[0], second[0], first[1], ..., by one stack on a new last axis.
     */
    public Tensor concatAndShuffleChannels(Tensor first, Tensor second) {
        long[] s = first.shape().clone();
        s[0] = first.channels() + second.channels();
        SDVariable stacked = sd.stack(CHANNELS + 1, first.variable(), second.variable());
        return new Tensor(stacked.reshape(-1, s[1], s[2], s[3], s[0]), s);
    }

    public Tensor add(Tensor a, Tensor b) {
        return new Tensor(a.variable().add(b.variable()), a.shape());
    }

    /** The average over frames, height and width: [N,C,D,H,W] → [N,C]. */
    public Tensor globalAveragePool(Tensor x) {
        return new Tensor(sd.mean(x.variable(), 1, 2, 3), x.channels());
    }

    /** Dropout with drop probability p: the identity in inference form, a fed mask in training form. */
    public Tensor dropout(String module, Tensor x, double p) {
        Tensor y = x;
        if (mode == Mode.TRAINING && p > 0) {
            String placeholder = module + ".mask";
            SDVariable mask = sd.placeHolder(placeholder, dataType, -1, x.channels());
            dropoutMasks.add(new DropoutMask(placeholder, x.channels(), p));
            y = new Tensor(x.variable().mul(mask), x.shape());
        }
        return record(module, "Dropout", y, 0, 0);
    }

    /** Linear(in, out) with bias: y = x·Wᵀ + b, W shaped [out, in]. */
    public Tensor linear(String module, Tensor x, int outFeatures) {
        long in = x.channels();
        double bound = 1.0 / Math.sqrt(in);
        long[] weightShape = {outFeatures, in};
        long[] biasShape = {outFeatures};
        SDVariable weight = parameter(module + ".weight", ParameterKind.TRAINABLE, weightShape,
                () -> uniform(bound, weightShape));
        SDVariable bias = parameter(module + ".bias", ParameterKind.TRAINABLE, biasShape, () -> uniform(bound, biasShape));
        SDVariable y = sd.mmul(x.variable(), weight, false, true, false).add(uniqueName(module), bias);
        return record(module, "Linear", new Tensor(y, outFeatures), in * outFeatures + outFeatures, 2 * in - 1);
    }

    private SDVariable kaimingUniform(String name, long... shape) {
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        double bound = 1.0 / Math.sqrt(fanIn);
        return parameter(name, ParameterKind.TRAINABLE, shape, () -> uniform(bound, shape));
    }

    private INDArray uniform(double bound, long... shape) {
        return Nd4j.rand(random, shape).castTo(dataType).subi(0.5).muli(2 * bound);
    }

    private SDVariable parameter(String name, ParameterKind kind, long[] shape, Supplier<INDArray> initialValue) {
        parameters.put(name, kind);
        shapes.put(name, shape);
        return source.parameter(sd, name, shape, initialValue);
    }

    /** The same values with no gradient flowing back: statistics that training must not move. */
    private SDVariable heldFixed(SDVariable statistic) {
        return new StopGradient(sd, statistic).outputVariable();
    }

    /** The channels of a feature map in {@code groups} equal consecutive parts. */
    private SDVariable[] groupsOf(Tensor x, int groups) {
        if (groups == 1) {
            return new SDVariable[] {x.variable()};
        }
        long[] s = x.shape();
        return sd.unstack(x.variable().reshape(-1, s[1], s[2], s[3], groups, s[0] / groups), CHANNELS, groups);
    }

    /** Zero-filled constants for a folded convolution's weight (ND4J's layout) and bias. */
    private SDVariable[] foldedWeightAndBias(String name, String part, long[] nd4jWeightShape) {
        return new SDVariable[] {
            sd.constant(name + FoldedConvolution.WEIGHT_SUFFIX + part, Nd4j.zeros(dataType, nd4jWeightShape)),
            sd.constant(name + FoldedConvolution.BIAS_SUFFIX + part,
                    Nd4j.zeros(dataType, nd4jWeightShape[nd4jWeightShape.length - 1]))};
    }

    private void fold(String module, FoldedConvolution.Form form) {
        foldedByOutput.put(form.output().name(), new FoldedConvolution(module, form));
    }

    /** PyTorch's [out, in/g, kD, kH, kW] to ND4J's [kD, kH, kW, in/g, out]. */
    private static SDVariable toNd4jConvWeights(SDVariable torchWeight) {
        return torchWeight.permute(2, 3, 4, 1, 0);
    }

    private static long outputSize(long in, int kernel, int stride, int padding) {
        return Math.floorDiv(in + 2L * padding - kernel, stride) + 1;
    }

    private String uniqueName(String module) {
        String name = module;
        for (int i = 2; sd.hasVariable(name); i++) {
            name = module + "#" + i;
        }
        return name;
    }

    private Tensor recordConvolution(String module, Tensor y, long flopsPerOutput) {
        return record(module, "Conv3d", y, ArrayUtil.prodLong(shapes.get(module + ".weight")), flopsPerOutput);
    }

    private Tensor record(String module, String type, Tensor y, long params, long flopsPerOutput) {
        layers.add(new LayerSummary(module, type, y.shape(), params, flopsPerOutput * y.elements()));
        return y;
    }
}
