package org.shufflenet3d;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the reference's constructors take: architecture, width multiplier, groups (V1 only) and class count, with the
 * reference's width tables and the rules that follow from them. Construction validates the combination, so a config
 * that exists can be built.
 *
 * @param groups the number of groups of V1's 1x1x1 convolutions; 0 for V2, which has none
 */
public record ShuffleNetConfig(Architecture architecture, double widthMultiplier, int groups, int numClasses) {

    /** V1's stem and stage widths at width 1.0 per groups setting; groups=1's 567 is the reference's. */
    private static final Map<Integer, int[]> V1_STAGE_CHANNELS = Map.of(
            1, new int[] {24, 144, 288, 567},
            2, new int[] {24, 200, 400, 800},
            3, new int[] {24, 240, 480, 960},
            4, new int[] {24, 272, 544, 1088},
            8, new int[] {24, 384, 768, 1536});
    private static final double[] V1_PUBLISHED_WIDTHS = {0.25, 0.5, 1.0, 1.5, 2.0};
    /** V2's stem, three stage widths and conv_last width per width multiplier. */
    private static final Map<Double, int[]> V2_STAGE_CHANNELS = new TreeMap<>(Map.of(
            0.25, new int[] {24, 32, 64, 128, 1024},
            0.5, new int[] {24, 48, 96, 192, 1024},
            1.0, new int[] {24, 116, 232, 464, 1024},
            1.5, new int[] {24, 176, 352, 704, 1024},
            2.0, new int[] {24, 224, 488, 976, 2048}));
    /** The smallest frame height and width V1 runs on in the reference (see {@link #validateClip}). */
    private static final int V1_MIN_FRAME_SIZE = 33;

    public ShuffleNetConfig {
        if (architecture == null) {
            throw new InvalidConfigurationException("architecture is required: shufflenet or shufflenetv2");
        }
        if (numClasses < 1) {
            throw new InvalidConfigurationException("number of classes must be at least 1, got " + numClasses);
        }
        if (architecture == Architecture.SHUFFLENET) {
            validateV1(groups, widthMultiplier);
        } else {
            if (groups != 0) {
                throw new InvalidConfigurationException(
                        "ShuffleNet V2 has no groups setting (got groups=" + groups + "): leave it out");
            }
            if (!V2_STAGE_CHANNELS.containsKey(widthMultiplier)) {
                throw new InvalidConfigurationException("ShuffleNet V2 has no width " + widthMultiplier
                        + ": use one of " + V2_STAGE_CHANNELS.keySet());
            }
        }
    }

    public static ShuffleNetConfig v1(int groups, double widthMultiplier, int numClasses) {
        return new ShuffleNetConfig(Architecture.SHUFFLENET, widthMultiplier, groups, numClasses);
    }

    public static ShuffleNetConfig v2(double widthMultiplier, int numClasses) {
        return new ShuffleNetConfig(Architecture.SHUFFLENET_V2, widthMultiplier, 0, numClasses);
    }

    /**
     * The channel widths the reference builds: V1 stem and three stages (every entry multiplied by the width and
     * truncated, as the reference does); V2 stem, three stages and conv_last.
     */
    public int[] stageChannels() {
        return architecture == Architecture.SHUFFLENET
                ? v1StageChannels(groups, widthMultiplier)
                : V2_STAGE_CHANNELS.get(widthMultiplier).clone();
    }

    /**
     * Refuses clips this network cannot take; V2 takes any. V1's shortcut pool has depth kernel 2 without padding,
     * so the frames after the stem's pool, ceil(D/2), must be a multiple of 8; and PyTorch's pool refuses an input
     * smaller than its 3x3 kernel before padding, which the last stage's is below 33 pixels.
     */
    public void validateClip(ClipShape clip) {
        if (architecture != Architecture.SHUFFLENET) {
            return;
        }
        if (clip.height() < V1_MIN_FRAME_SIZE || clip.width() < V1_MIN_FRAME_SIZE) {
            throw new InvalidClipException("ShuffleNet V1 needs frames of at least " + V1_MIN_FRAME_SIZE + "x"
                    + V1_MIN_FRAME_SIZE + " pixels (its last shortcut pool needs 3x3), got " + clip.height() + "x"
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

    /** A short description such as {@code shufflenet 1.0x g=3, 600 classes}. */
    public String describe() {
        String g = architecture == Architecture.SHUFFLENET ? " g=" + groups : "";
        return architecture.referenceName() + " " + widthMultiplier + "x" + g + ", " + numClasses + " classes";
    }

    /**
     * The V1 width that gives these stem and stage channel counts with these groups: one of the published widths,
     * or the one the first stage implies.
     */
    static Optional<Double> v1WidthForChannels(int groups, int[] channels) {
        int[] base = V1_STAGE_CHANNELS.get(groups);
        if (base == null) {
            return Optional.empty();
        }
        List<Double> candidates = new ArrayList<>();
        for (double w : V1_PUBLISHED_WIDTHS) {
            candidates.add(w);
        }
        candidates.add((double) channels[1] / base[1]);
        return candidates.stream().filter(w -> Arrays.equals(v1StageChannels(groups, w), channels)).findFirst();
    }

    /** The V2 width whose second stage has this many channels, if it is one of the reference's. */
    static Optional<Double> v2WidthForStageChannels(long channels) {
        return V2_STAGE_CHANNELS.entrySet().stream().filter(e -> e.getValue()[1] == channels).map(Map.Entry::getKey)
                .findFirst();
    }

    private static int[] v1StageChannels(int groups, double width) {
        int[] base = V1_STAGE_CHANNELS.get(groups);
        if (base == null) {
            throw new InvalidConfigurationException("ShuffleNet V1 supports groups 1, 2, 3, 4 or 8, got " + groups);
        }
        int[] channels = new int[base.length];
        for (int i = 0; i < base.length; i++) {
            channels[i] = (int) (base[i] * width);
        }
        return channels;
    }

    /** Refuses V1 (groups, width) pairs whose channel counts do not divide by the groups. */
    private static void validateV1(int groups, double width) {
        if (!(width > 0) || Double.isInfinite(width)) {
            throw new InvalidConfigurationException("width multiplier must be positive, got " + width);
        }
        String problem = v1ChannelProblem(groups, width);
        if (problem != null) {
            List<String> valid = new ArrayList<>();
            for (double w : V1_PUBLISHED_WIDTHS) {
                if (v1ChannelProblem(groups, w) == null) {
                    valid.add(String.valueOf(w));
                }
            }
            throw new InvalidConfigurationException("ShuffleNet V1 cannot be built with groups=" + groups
                    + " at width " + width + ": " + problem + "; with groups=" + groups + " use width "
                    + String.join(", ", valid) + " (groups 1 and 3 take every width)");
        }
    }

    private static String v1ChannelProblem(int groups, double width) {
        int[] channels = v1StageChannels(groups, width);
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
}
