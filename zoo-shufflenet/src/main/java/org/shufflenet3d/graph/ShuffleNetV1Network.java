package org.shufflenet3d.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.ShuffleNetConfig;

/** ShuffleNet V1 3D as the reference declares it: stem, three stages of bottleneck units, classifier. */
public final class ShuffleNetV1Network {

    /** Stem and stage widths at width 1.0 per groups setting; groups=1's 567 is the reference's. */
    private static final Map<Integer, int[]> STAGE_CHANNELS = Map.of(
            1, new int[] {24, 144, 288, 567},
            2, new int[] {24, 200, 400, 800},
            3, new int[] {24, 240, 480, 960},
            4, new int[] {24, 272, 544, 1088},
            8, new int[] {24, 384, 768, 1536});
    private static final int[] UNITS_PER_STAGE = {4, 8, 4};
    private static final double[] PUBLISHED_WIDTHS = {0.25, 0.5, 1.0, 1.5, 2.0};

    private ShuffleNetV1Network() {
    }

    /** Stem and stage widths: every entry multiplied by the width and truncated, as the reference does. */
    public static int[] stageChannels(int groups, double width) {
        int[] base = STAGE_CHANNELS.get(groups);
        if (base == null) {
            throw new InvalidConfigurationException("ShuffleNet V1 supports groups 1, 2, 3, 4 or 8, got " + groups);
        }
        int[] channels = new int[base.length];
        for (int i = 0; i < base.length; i++) {
            channels[i] = (int) (base[i] * width);
        }
        return channels;
    }

    /**
     * The width that gives these stem and stage channel counts with these groups: one of the published widths,
     * or the one the first stage implies.
     */
    public static java.util.Optional<Double> widthForChannels(int groups, int[] channels) {
        int[] base = STAGE_CHANNELS.get(groups);
        if (base == null) {
            return java.util.Optional.empty();
        }
        List<Double> candidates = new ArrayList<>();
        for (double w : PUBLISHED_WIDTHS) {
            candidates.add(w);
        }
        candidates.add((double) channels[1] / base[1]);
        return candidates.stream().filter(w -> java.util.Arrays.equals(stageChannels(groups, w), channels))
                .findFirst();
    }

    /** Refuses (groups, width) pairs whose channel counts do not divide by the groups. */
    public static void validate(int groups, double width) {
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new InvalidConfigurationException("width multiplier must be positive, got " + width);
        }
        String problem = channelProblem(groups, width);
        if (problem != null) {
            List<String> valid = new ArrayList<>();
            for (double w : PUBLISHED_WIDTHS) {
                if (channelProblem(groups, w) == null) {
                    valid.add(String.valueOf(w));
                }
            }
            throw new InvalidConfigurationException("ShuffleNet V1 cannot be built with groups=" + groups
                    + " at width " + width + ": " + problem + "; with groups=" + groups + " use width "
                    + String.join(", ", valid) + " (groups 1 and 3 take every width)");
        }
    }

    private static String channelProblem(int groups, double width) {
        int[] channels = stageChannels(groups, width);
        int in = channels[0];
        if (in < 1) {
            return "the stem would have no channels";
        }
        for (int stage = 1; stage <= 3; stage++) {
            int out = channels[stage];
            int mid = out / 4;
            String unit = "layer" + stage + ".0";
            int firstGroups = in == 24 ? 1 : groups;
            if (mid < 1 || out - in < 1) {
                return unit + " would have no channels";
            }
            if (in % firstGroups != 0 || mid % groups != 0) {
                return unit + " has " + in + " input and " + mid + " bottleneck channels, which do not divide into "
                        + groups + " groups";
            }
            if ((out - in) % groups != 0 || out % groups != 0) {
                return "layer" + stage + " has " + out + " channels, which do not divide into " + groups + " groups";
            }
            in = out;
        }
        return null;
    }

    /** The smallest frame height and width the reference runs on (see {@link #validateClip}). */
    public static final int MIN_FRAME_SIZE = 33;

    /**
     * Refuses clips the reference cannot take. Its shortcut pool has depth kernel 2 without padding, so the
     * frames after the stem's pool, ceil(D/2), must be a multiple of 8; and PyTorch's pool refuses an input
     * smaller than its 3x3 kernel before padding, which the last stage's is below 33 pixels.
     */
    public static void validateClip(ClipShape clip) {
        if (clip.height() < MIN_FRAME_SIZE || clip.width() < MIN_FRAME_SIZE) {
            throw new InvalidClipException("ShuffleNet V1 needs frames of at least " + MIN_FRAME_SIZE + "x"
                    + MIN_FRAME_SIZE + " pixels (its last shortcut pool needs 3x3), got " + clip.height() + "x"
                    + clip.width());
        }
        int afterStem = (clip.frames() + 1) / 2;
        if (afterStem % 8 != 0) {
            int lower = afterStem / 8 * 16;
            throw new InvalidClipException("ShuffleNet V1 needs a frame count D with ceil(D/2) divisible by 8"
                    + " (15, 16, 31, 32, ...), got " + clip.frames() + " frames: use "
                    + (lower > 0 ? lower + " or " : "") + (lower + 16));
        }
    }

    /** Everything before the classifier up to its global average pool: the last feature map [N, C, D', H', W']. */
    static Tensor declareFeatureMap(NetworkBuilder nb, ShuffleNetConfig config, Tensor clip) {
        int groups = config.groups();
        int[] channels = stageChannels(groups, config.widthMultiplier());
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
