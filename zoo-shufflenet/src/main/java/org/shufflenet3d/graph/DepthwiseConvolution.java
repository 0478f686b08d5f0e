package org.shufflenet3d.graph;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv3DConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Formulations of the depthwise 3x3x3 convolution (padding 1, stride 1 or 2) from the ops ND4J has: its conv3d
 * has no groups. All take the input [N,C,D,H,W] and PyTorch's weight [C,1,3,3,3] and give the same values;
 * they differ in speed (README, "Performance"). {@link #DEFAULT} is the one the networks use.
 */
public enum DepthwiseConvolution {

    /** The channels split apart, one single-channel conv3d each, concatenated. */
    PER_CHANNEL {
        @Override
        SDVariable apply(SameDiff sd, String name, Tensor x, SDVariable weight, int stride) {
            int c = (int) x.channels();
            SDVariable[] inputs = sd.split(x.variable(), c, 1);
            SDVariable[] kernels = sd.split(weight.permute(2, 3, 4, 1, 0), c, 4);
            SDVariable[] outputs = new SDVariable[c];
            for (int i = 0; i < c; i++) {
                outputs[i] = sd.cnn.conv3d(inputs[i], kernels[i], conv3dConfig(stride));
            }
            return sd.concat(name, 1, outputs);
        }
    },

    /**
     * One 2D depthwise convolution per temporal tap: frames folded into the batch, the three taps' results
     * summed.
     */
    PER_TIME_TAP {
        @Override
        SDVariable apply(SameDiff sd, String name, Tensor x, SDVariable weight, int stride) {
            long c = x.channels();
            SDVariable[] kernels = new SDVariable[3];
            for (int tap = 0; tap < 3; tap++) {
                kernels[tap] = weight.get(SDIndex.all(), SDIndex.point(0), SDIndex.point(tap), SDIndex.all(),
                        SDIndex.all()).permute(1, 2, 0).reshape(3, 3, c, 1);
            }
            return perTimeTap(sd, name, x, kernels, null, stride);
        }

        @Override
        FoldedConvolution.Form folded(SameDiff sd, String name, Tensor x, int stride) {
            long c = x.channels();
            SDVariable[] kernels = new SDVariable[3];
            List<SDVariable> constants = new ArrayList<>();
            for (int tap = 0; tap < 3; tap++) {
                kernels[tap] = sd.constant(name + FoldedConvolution.WEIGHT_SUFFIX + tap,
                        Nd4j.zeros(x.variable().dataType(), 3, 3, c, 1));
                constants.add(kernels[tap]);
            }
            SDVariable bias = sd.constant(name + FoldedConvolution.BIAS_SUFFIX, Nd4j.zeros(x.variable().dataType(), c));
            constants.add(bias);
            SDVariable y = perTimeTap(sd, name, x, kernels, bias, stride);
            return new FoldedConvolution.Form(y, constants, (weight, shift) -> {
                List<INDArray> values = new ArrayList<>();
                for (int tap = 0; tap < 3; tap++) {
                    values.add(weight.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.point(tap),
                            NDArrayIndex.all(), NDArrayIndex.all()).permute(1, 2, 0).reshape('c', 3, 3, c, 1));
                }
                values.add(shift);
                return values;
            });
        }

        /** Frames folded into the batch, one 2D depthwise convolution per tap ({@code bias} on the first), summed. */
        private SDVariable perTimeTap(SameDiff sd, String name, Tensor x, SDVariable[] kernels, SDVariable bias,
                int stride) {
            long[] s = x.shape();
            long c = s[0];
            long outFrames = outputSize(s[1], stride);
            long outHeight = outputSize(s[2], stride);
            long outWidth = outputSize(s[3], stride);
            SDVariable framesFirst = sd.nn.pad(x.variable().permute(0, 2, 1, 3, 4),
                    sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {1, 1}, {0, 0}, {0, 0}, {0, 0}})), 0.0);
            Conv2DConfig config = Conv2DConfig.builder().kH(3).kW(3).sH(stride).sW(stride).pH(1).pW(1)
                    .dataFormat("NCHW").build();
            SDVariable sum = null;
            for (int tap = 0; tap < 3; tap++) {
                SDVariable frames = sd.stridedSlice(framesFirst,
                        new long[] {0, tap, 0, 0, 0},
                        new long[] {0, tap + stride * (outFrames - 1) + 1, c, s[2], s[3]},
                        new long[] {1, stride, 1, 1, 1}, 1, 1, 0, 0, 0);
                SDVariable batched = frames.reshape(-1, c, s[2], s[3]);
                SDVariable filtered = (tap == 0 && bias != null
                        ? sd.cnn.depthWiseConv2d(batched, kernels[tap], bias, config)
                        : sd.cnn.depthWiseConv2d(batched, kernels[tap], config))
                        .reshape(-1, outFrames, c, outHeight, outWidth);
                sum = sum == null ? filtered : sum.add(filtered);
            }
            return sd.permute(name, sum, 0, 2, 1, 3, 4);
        }
    },

    /** One dense conv3d whose [3,3,3,C,C] kernel is zero off the channel diagonal. */
    MASKED_DENSE {
        @Override
        SDVariable apply(SameDiff sd, String name, Tensor x, SDVariable weight, int stride) {
            long c = x.channels();
            SDVariable diagonal = sd.constant(Nd4j.eye(c).castTo(weight.dataType()).reshape(1, 1, 1, c, c));
            SDVariable dense = weight.permute(2, 3, 4, 1, 0).mul(diagonal);
            return sd.cnn.conv3d(name, x.variable(), dense, conv3dConfig(stride));
        }

        @Override
        FoldedConvolution.Form folded(SameDiff sd, String name, Tensor x, int stride) {
            long c = x.channels();
            SDVariable dense = sd.constant(name + FoldedConvolution.WEIGHT_SUFFIX,
                    Nd4j.zeros(x.variable().dataType(), 3, 3, 3, c, c));
            SDVariable bias = sd.constant(name + FoldedConvolution.BIAS_SUFFIX, Nd4j.zeros(x.variable().dataType(), c));
            SDVariable y = sd.cnn.conv3d(name, x.variable(), dense, bias, conv3dConfig(stride, true));
            return new FoldedConvolution.Form(y, List.of(dense, bias), (weight, shift) -> {
                INDArray diagonal = Nd4j.eye(c).castTo(weight.dataType()).reshape(1, 1, 1, c, c);
                return List.of(diagonal.mul(weight.permute(2, 3, 4, 1, 0)), shift);
            });
        }
    },

    /** The 27 kernel taps as shifted slices of the padded input, each scaled per channel, summed. */
    SHIFTED_TAPS {
        @Override
        SDVariable apply(SameDiff sd, String name, Tensor x, SDVariable weight, int stride) {
            long[] s = x.shape();
            long c = s[0];
            long[] out = {outputSize(s[1], stride), outputSize(s[2], stride), outputSize(s[3], stride)};
            SDVariable padded = sd.nn.pad(x.variable(),
                    sd.constant(Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {1, 1}, {1, 1}, {1, 1}})), 0.0);
            SDVariable taps = weight.reshape(c, 27);
            SDVariable sum = null;
            for (int d = 0; d < 3; d++) {
                for (int h = 0; h < 3; h++) {
                    for (int w = 0; w < 3; w++) {
                        SDVariable shifted = sd.stridedSlice(padded,
                                new long[] {0, 0, d, h, w},
                                new long[] {0, c, d + stride * (out[0] - 1) + 1, h + stride * (out[1] - 1) + 1,
                                        w + stride * (out[2] - 1) + 1},
                                new long[] {1, 1, stride, stride, stride}, 1, 1, 0, 0, 0);
                        SDVariable scale = taps.get(SDIndex.all(), SDIndex.point(9 * d + 3 * h + w))
                                .reshape(1, c, 1, 1, 1);
                        SDVariable term = shifted.mul(scale);
                        sum = sum == null ? term : sum.add(term);
                    }
                }
            }
            return sd.identity(name, sum);
        }
    },

    /**
     * {@link #MASKED_DENSE} on frames of at least {@value #LARGE_FRAME_PIXELS} pixels, where it was fastest here,
     * {@link #PER_TIME_TAP} on smaller ones, where it was.
     */
    BY_FRAME_SIZE {
        @Override
        SDVariable apply(SameDiff sd, String name, Tensor x, SDVariable weight, int stride) {
            return (x.shape()[2] * x.shape()[3] >= LARGE_FRAME_PIXELS ? MASKED_DENSE : PER_TIME_TAP)
                    .apply(sd, name, x, weight, stride);
        }

        @Override
        FoldedConvolution.Form folded(SameDiff sd, String name, Tensor x, int stride) {
            return (x.shape()[2] * x.shape()[3] >= LARGE_FRAME_PIXELS ? MASKED_DENSE : PER_TIME_TAP)
                    .folded(sd, name, x, stride);
        }
    };

    /** 14x14: the second stage's frames for 112x112 clips. */
    static final int LARGE_FRAME_PIXELS = 196;

    /** The formulation the networks are built with: the fastest measured here (README, "Performance"). */
    public static final DepthwiseConvolution DEFAULT = BY_FRAME_SIZE;

    /**
     * Declares the convolution of {@code x} with {@code weight} (PyTorch layout [C,1,3,3,3]) and returns its
     * output, named {@code name}.
     */
    abstract SDVariable apply(SameDiff sd, String name, Tensor x, SDVariable weight, int stride);

    /**
     * Declares the convolution followed by a per-channel bias, computing with constants that the returned form
     * derives from PyTorch's [C,1,3,3,3] weight and the bias; this one takes the weight as it is and adds the bias
     * as an op of its own.
     */
    FoldedConvolution.Form folded(SameDiff sd, String name, Tensor x, int stride) {
        long c = x.channels();
        SDVariable weight = sd.constant(name + FoldedConvolution.WEIGHT_SUFFIX,
                Nd4j.zeros(x.variable().dataType(), c, 1, 3, 3, 3));
        SDVariable bias = sd.constant(name + FoldedConvolution.BIAS_SUFFIX, Nd4j.zeros(x.variable().dataType(), c));
        SDVariable y = apply(sd, name + "/unbiased", x, weight, stride).add(name, bias.reshape(1, c, 1, 1, 1));
        return new FoldedConvolution.Form(y, List.of(weight, bias), List::of);
    }

    private static long outputSize(long in, int stride) {
        return Math.floorDiv(in - 1, stride) + 1;
    }

    private static Conv3DConfig conv3dConfig(int stride) {
        return conv3dConfig(stride, false);
    }

    private static Conv3DConfig conv3dConfig(int stride, boolean bias) {
        return Conv3DConfig.builder().kD(3).kH(3).kW(3).sD(stride).sH(stride).sW(stride).pD(1).pH(1).pW(1)
                .biasUsed(bias).dataFormat("NCDHW").build();
    }
}
