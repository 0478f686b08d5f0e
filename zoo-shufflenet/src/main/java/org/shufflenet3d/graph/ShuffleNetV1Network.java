package org.shufflenet3d.graph;

/**
 * ShuffleNet V1 3D as the reference declares it: stem, three stages of bottleneck units (the classifier is the
 * shared head). The widths come from the configuration's table.
 */
public final class ShuffleNetV1Network {

    private static final int[] UNITS_PER_STAGE = {4, 8, 4};

    private ShuffleNetV1Network() {
    }

    /**
     * Everything before the classifier up to its global average pool: the last feature map [N, C, D', H', W'].
     *
     * @param groups the groups of the units' 1x1x1 convolutions
     * @param channels the stem's and the three stages' widths
     */
    public static Tensor declareFeatureMap(NetworkBuilder nb, int groups, int[] channels, Tensor clip) {
        Tensor x = nb.conv3d("conv1.0", clip, channels[0], 3, new int[] {1, 2, 2}, 1);
        x = nb.relu("conv1.2", nb.batchNorm("conv1.1", x));
        x = nb.maxPool3d("maxpool", x);
        for (int stage = 0; stage < UNITS_PER_STAGE.length; stage++) {
            for (int unit = 0; unit < UNITS_PER_STAGE[stage]; unit++) {
                String prefix = "layer" + (stage + 1) + "." + unit;
                x = bottleneck(nb, prefix, x, channels[stage + 1], unit == 0 ? 2 : 1, groups);
            }
        }
        return x;
    }

    private static Tensor bottleneck(NetworkBuilder nb, String prefix, Tensor x, int outChannels, int stride,
            int groups) {
        int in = (int) x.channels();
        int mid = outChannels / 4;
        int branchChannels = stride == 2 ? outChannels - in : outChannels;
        int firstGroups = in == 24 ? 1 : groups;
        Tensor out = nb.pointwiseConv(prefix + ".conv1", x, mid, firstGroups);
        out = nb.relu(prefix + ".relu", nb.batchNorm(prefix + ".bn1", out));
        out = nb.channelShuffle(out, groups);
        out = nb.batchNorm(prefix + ".bn2", nb.depthwiseConv3d(prefix + ".conv2", out, stride));
        out = nb.batchNorm(prefix + ".bn3", nb.pointwiseConv(prefix + ".conv3", out, branchChannels, groups));
        if (stride == 2) {
            return nb.relu(prefix + ".relu", nb.concatChannels(out, nb.shortcutAvgPool3d(prefix + ".shortcut", x)));
        }
        return nb.relu(prefix + ".relu", nb.add(out, x));
    }
}
