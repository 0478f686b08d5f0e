package org.shufflenet3d.graph;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling3D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv3DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling3DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the three graph forms declare alike: the parameters from a {@link NetworkBuilder.ParameterSource}, the
 * clips, pooling, the joining of channels, and the classifier. Each form declares the rest its own way.
 */
public abstract sealed class GraphForm extends NetworkBuilder permits InferenceForm, TrainingForm {

    final SameDiff sd;
    private final ParameterSource source;

    GraphForm(SameDiff sd, ParameterSource source, DataType dataType) {
        super(dataType);
        this.sd = sd;
        this.source = source;
    }

    public SameDiff sameDiff() {
        return sd;
    }

    /** A feature map [N, C, D, H, W] (the reference's layout) as the tensors of this graph take it. */
    public Tensor fromReferenceLayout(SDVariable clips, long channels, long frames, long height, long width) {
        return new Tensor(clips.permute(0, 2, 3, 4, 1), channels, frames, height, width);
    }

    /** A 1x1x1 convolution as one matrix product per group of channels (the folded form has its own). */
    @Override
    SDVariable pointwiseConv(String module, Tensor x, SDVariable weight, int groups, long[] shape) {
        return ChannelsLast.pointwiseConv(sd, uniqueName(module), x, weight, groups, shape);
    }

    /** The depthwise 3x3x3 convolution as one 2D depthwise convolution per temporal tap. */
    @Override
    SDVariable depthwiseConv3d(String module, Tensor x, SDVariable weight, int stride, long[] shape) {
        return ChannelsLast.depthwiseConv3d(sd, uniqueName(module), x, weight, stride);
    }

    /** Marks a tensor as an output under the given name, feature maps in the reference's layout [N, C, D, H, W]. */
    public SDVariable output(Tensor x, String name) {
        return x.shape().length == 4 ? sd.permute(name, x.variable(), 0, 4, 1, 2, 3) : sd.identity(name, x.variable());
    }

    @Override
    SDVariable parameter(String name, long[] shape, Initialization initialization) {
        return source.parameter(sd, name, shape, initialization);
    }

    @Override
    SDVariable clips(String name, long channels, long frames, long height, long width) {
        return sd.placeHolder(name, dataType, -1, channels, frames, height, width).permute(0, 2, 3, 4, 1);
    }

    @Override
    SDVariable maxPool3d(String module, SDVariable x) {
        return sd.cnn.maxPooling3d(uniqueName(module), x, Pooling3DConfig.builder()
                .kD(3).kH(3).kW(3).sD(2).sH(2).sW(2).pD(1).pH(1).pW(1)
                .type(Pooling3D.Pooling3DType.MAX).isNCDHW(false).build());
    }

    /** The input zero-padded explicitly and pooled without padding, so that the padding counts in the average. */
    @Override
    SDVariable shortcutAvgPool3d(String module, SDVariable x) {
        SDVariable padded = sd.nn.pad(x,
                sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {1, 1}, {1, 1}, {0, 0}})), 0.0);
        return sd.cnn.avgPooling3d(uniqueName(module), padded, Pooling3DConfig.builder()
                .kD(2).kH(3).kW(3).sD(2).sH(2).sW(2)
                .type(Pooling3D.Pooling3DType.AVG).isNCDHW(false).build());
    }

    @Override
    SDVariable[] channelGroups(Tensor x, int groups) {
        return ChannelsLast.groupsOf(sd, x, groups);
    }

    @Override
    SDVariable concatChannels(SDVariable first, SDVariable second) {
        return sd.concat(ChannelsLast.CHANNELS, first, second);
    }

    /** One stack on a new last axis. */
    @Override
    SDVariable interleaveChannels(SDVariable first, SDVariable second, long[] shape) {
        SDVariable stacked = sd.stack(ChannelsLast.CHANNELS + 1, first, second);
        return stacked.reshape(-1, shape[1], shape[2], shape[3], shape[0]);
    }

    @Override
    SDVariable add(SDVariable a, SDVariable b) {
        return a.add(b);
    }

    @Override
    SDVariable globalAveragePool(SDVariable x) {
        return sd.mean(x, 1, 2, 3);
    }

    @Override
    SDVariable linear(String module, SDVariable x, SDVariable weight, SDVariable bias) {
        return sd.mmul(x, weight, false, true, false).add(uniqueName(module), bias);
    }

    /** Conv3d's settings for channels-last maps, a cubic kernel and the same padding on every axis. */
    static Conv3DConfig.Conv3DConfigBuilder conv3dConfig(long[] weightShape, int[] stride, int padding) {
        int kernel = (int) weightShape[2];
        return Conv3DConfig.builder().kD(kernel).kH(kernel).kW(kernel)
                .sD(stride[0]).sH(stride[1]).sW(stride[2])
                .pD(padding).pH(padding).pW(padding)
                .dataFormat("NDHWC");
    }

    /** A layer's name in the graph: its module's, numbered from #2 when the module appears again. */
    String uniqueName(String module) {
        String name = module;
        for (int i = 2; sd.hasVariable(name); i++) {
            name = module + "#" + i;
        }
        return name;
    }
}
