package org.shufflenet3d.graph;

import java.util.Map;
import java.util.TreeMap;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.ShuffleNetConfig;

/** ShuffleNet V2 3D as the reference declares it: stem, sixteen inverted residual units, conv_last, classifier. */
public final class ShuffleNetV2Network {

    /** Stem, three stage widths and conv_last width per width multiplier. */
    private static final Map<Double, int[]> STAGE_CHANNELS = new TreeMap<>(Map.of(
            0.25, new int[] {24, 32, 64, 128, 1024},
            0.5, new int[] {24, 48, 96, 192, 1024},
            1.0, new int[] {24, 116, 232, 464, 1024},
            1.5, new int[] {24, 176, 352, 704, 1024},
            2.0, new int[] {24, 224, 488, 976, 2048}));
    private static final int[] UNITS_PER_STAGE = {4, 8, 4};

    private ShuffleNetV2Network() {
    }

    public static void validate(double width) {
        if (!STAGE_CHANNELS.containsKey(width)) {
            throw new InvalidConfigurationException("ShuffleNet V2 has no width " + width
                    + ": use one of " + STAGE_CHANNELS.keySet());
        }
    }

    /** The width whose second stage has this many channels, if it is one of the reference's. */
    public static java.util.Optional<Double> widthForStageChannels(long channels) {
        return STAGE_CHANNELS.entrySet().stream().filter(e -> e.getValue()[1] == channels).map(Map.Entry::getKey)
                .findFirst();
    }

    /** Everything before the classifier up to its global average pool: the last feature map [N, C, D', H', W']. */
    static Tensor declareFeatureMap(NetworkBuilder nb, ShuffleNetConfig config, Tensor clip) {
        int[] channels = STAGE_CHANNELS.get(config.widthMultiplier());
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
