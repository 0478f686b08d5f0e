package org.shufflenet3d.graph;

/**
 * ShuffleNet V2 3D as the reference declares it: stem, sixteen inverted residual units, conv_last (the classifier is
 * the shared head). The widths come from the configuration's table.
 */
public final class ShuffleNetV2Network {

    private static final int[] UNITS_PER_STAGE = {4, 8, 4};

    private ShuffleNetV2Network() {
    }

    /**
     * Everything before the classifier up to its global average pool: the last feature map [N, C, D', H', W'].
     *
     * @param channels the stem's, the three stages' and conv_last's widths
     */
    public static Tensor declareFeatureMap(NetworkBuilder nb, int[] channels, Tensor clip) {
        Tensor x = nb.conv3d("conv1.0", clip, channels[0], 3, new int[] {1, 2, 2}, 1);
        x = nb.relu("conv1.2", nb.batchNorm("conv1.1", x));
        x = nb.maxPool3d("maxpool", x);
        int index = 0;
        for (int stage = 0; stage < UNITS_PER_STAGE.length; stage++) {
            for (int unit = 0; unit < UNITS_PER_STAGE[stage]; unit++) {
                String prefix = "features." + index++;
                x = unit == 0
                        ? downsamplingUnit(nb, prefix, x, channels[stage + 1])
                        : basicUnit(nb, prefix, x);
            }
        }
        x = nb.pointwiseConv("conv_last.0", x, channels[4], 1);
        x = nb.relu("conv_last.2", nb.batchNorm("conv_last.1", x));
        return x;
    }

    /** Stride 1: the first half of the channels passes, the second goes through banch2; concat, shuffle. */
    private static Tensor basicUnit(NetworkBuilder nb, String prefix, Tensor x) {
        Tensor[] halves = nb.splitChannelsInHalf(x);
        Tensor branch = branch2(nb, prefix + ".banch2", halves[1], (int) halves[1].channels(), 1);
        return nb.concatAndShuffleChannels(halves[0], branch);
    }

    /** Stride 2: banch1 and banch2 both see the whole input; concat, shuffle. */
    private static Tensor downsamplingUnit(NetworkBuilder nb, String prefix, Tensor x, int outChannels) {
        int half = outChannels / 2;
        String b1 = prefix + ".banch1";
        Tensor left = nb.batchNorm(b1 + ".1", nb.depthwiseConv3d(b1 + ".0", x, 2));
        left = nb.relu(b1 + ".4", nb.batchNorm(b1 + ".3", nb.pointwiseConv(b1 + ".2", left, half, 1)));
        Tensor right = branch2(nb, prefix + ".banch2", x, half, 2);
        return nb.concatAndShuffleChannels(left, right);
    }

    /** pw → BN → ReLU → dw → BN → pw → BN → ReLU. */
    private static Tensor branch2(NetworkBuilder nb, String b2, Tensor x, int channels, int stride) {
        Tensor y = nb.relu(b2 + ".2", nb.batchNorm(b2 + ".1", nb.pointwiseConv(b2 + ".0", x, channels, 1)));
        y = nb.batchNorm(b2 + ".4", nb.depthwiseConv3d(b2 + ".3", y, stride));
        return nb.relu(b2 + ".7", nb.batchNorm(b2 + ".6", nb.pointwiseConv(b2 + ".5", y, channels, 1)));
    }
}
