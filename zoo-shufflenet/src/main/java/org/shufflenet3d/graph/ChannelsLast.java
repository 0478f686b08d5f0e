package org.shufflenet3d.graph;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The convolutions as channels-last feature maps [N, D, H, W, C] compute them, with the weights either the
 * parameters (inference and training forms) or the constants folded from them ({@link FoldedConvolution}).
 */
final class ChannelsLast {

    /** The channel axis of a feature map [N, D, H, W, C]. */
    static final int CHANNELS = 4;

    private ChannelsLast() {
    }

    /**
     * Conv3d(kernel 1, groups, bias=False) with PyTorch's weight [out, in/g, 1, 1, 1]: channels last, a 1x1x1
     * convolution is a matrix product of the positions' rows [N·D·H·W, C/g] with the weight; oneDNN's 1x1x1 conv3d
     * took several times as long, its backward pass four times.
     */
    static SDVariable pointwiseConv(SameDiff sd, String name, Tensor x, SDVariable weight, int groups,
            long[] shape) {
        long in = x.channels();
        long out = shape[0];
        SDVariable[] inputs = groupsOf(sd, x, groups);
        SDVariable[] weights = groups == 1 ? new SDVariable[] {weight.reshape(out, in)}
                : sd.split(weight.reshape(out, in / groups), groups, 0);
        SDVariable[] outputs = new SDVariable[groups];
        for (int g = 0; g < groups; g++) {
            outputs[g] = sd.mmul(rows(inputs[g], in / groups), weights[g], false, true, false);
        }
        return positions(sd, name, outputs, shape);
    }

    /**
     * Conv3d(C, C, kernel 3, stride, padding 1, groups=C, bias=False) with PyTorch's weight [C, 1, 3, 3, 3], by
     * {@link #perTimeTap}.
     */
    static SDVariable depthwiseConv3d(SameDiff sd, String name, Tensor x, SDVariable weight, int stride) {
        return perTimeTap(sd, name, x, sd.unstack(weight.permute(2, 3, 4, 0, 1), 0, 3), null, stride);
    }

    /**
     * The depthwise convolution as one 2D depthwise convolution per temporal tap ({@code kernels}: [3, 3, C, 1]
     * each), {@code bias} (when not null) added with the first: frames folded into the batch, each tap's frames taken
     * from the input padded by a zero frame at either end, the three results summed. oneDNN runs the 2D depthwise
     * convolution channels-last an order of magnitude faster than a 3D convolution with a diagonal kernel.
     */
    static SDVariable perTimeTap(SameDiff sd, String name, Tensor x, SDVariable[] kernels, SDVariable bias,
            int stride) {
        long[] s = x.shape();
        long c = s[0];
        long outFrames = NetworkBuilder.outputSize(s[1], 3, stride, 1);
        long outHeight = NetworkBuilder.outputSize(s[2], 3, stride, 1);
        long outWidth = NetworkBuilder.outputSize(s[3], 3, stride, 1);
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

    /** The channels of a feature map in {@code groups} equal consecutive parts. */
    static SDVariable[] groupsOf(SameDiff sd, Tensor x, int groups) {
        if (groups == 1) {
            return new SDVariable[] {x.variable()};
        }
        long[] s = x.shape();
        return sd.unstack(x.variable().reshape(-1, s[1], s[2], s[3], groups, s[0] / groups), CHANNELS, groups);
    }

    /** A feature map [N, D, H, W, C] as rows [N·D·H·W, C]. */
    static SDVariable rows(SDVariable map, long channels) {
        return map.reshape(-1, channels);
    }

    /** Rows of each group's output channels back into one feature map with the groups' channels concatenated. */
    static SDVariable positions(SameDiff sd, String name, SDVariable[] groupRows, long[] shape) {
        SDVariable rows = groupRows.length == 1 ? groupRows[0] : sd.concat(1, groupRows);
        return sd.reshape(name, rows, -1, shape[1], shape[2], shape[3], shape[0]);
    }

    /** PyTorch's [out, in/g, kD, kH, kW] to ND4J's [kD, kH, kW, in/g, out]. */
    static SDVariable toNd4jConvWeights(SDVariable torchWeight) {
        return torchWeight.permute(2, 3, 4, 1, 0);
    }
}
