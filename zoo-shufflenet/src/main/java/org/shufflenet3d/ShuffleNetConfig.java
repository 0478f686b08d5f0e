package org.shufflenet3d;

import org.shufflenet3d.graph.ShuffleNetV1Network;
import org.shufflenet3d.graph.ShuffleNetV2Network;

/**
 * What the reference's constructors take: architecture, width multiplier, groups (V1 only) and class count.
 * Construction validates the combination, so a config that exists can be built.
 *
 * @param groups the number of groups of V1's 1x1x1 convolutions; 0 for V2, which has none
 */
public record ShuffleNetConfig(Architecture architecture, double widthMultiplier, int groups, int numClasses) {

    public ShuffleNetConfig {
        if (architecture == null) {
            throw new InvalidConfigurationException("architecture is required: shufflenet or shufflenetv2");
        }
        if (numClasses < 1) {
            throw new InvalidConfigurationException("number of classes must be at least 1, got " + numClasses);
        }
        if (architecture == Architecture.SHUFFLENET) {
            ShuffleNetV1Network.validate(groups, widthMultiplier);
        } else {
            if (groups != 0) {
                throw new InvalidConfigurationException(
                        "ShuffleNet V2 has no groups setting (got groups=" + groups + "): leave it out");
            }
            ShuffleNetV2Network.validate(widthMultiplier);
        }
    }

    public static ShuffleNetConfig v1(int groups, double widthMultiplier, int numClasses) {
        return new ShuffleNetConfig(Architecture.SHUFFLENET, widthMultiplier, groups, numClasses);
    }

    public static ShuffleNetConfig v2(double widthMultiplier, int numClasses) {
        return new ShuffleNetConfig(Architecture.SHUFFLENET_V2, widthMultiplier, 0, numClasses);
    }

    /** Refuses clips this network cannot take (V1's rules on frame count and size; V2 takes any). */
    public void validateClip(ClipShape clip) {
        if (architecture == Architecture.SHUFFLENET) {
            ShuffleNetV1Network.validateClip(clip);
        }
    }

    /** A short description such as {@code shufflenet 1.0x g=3, 600 classes}. */
    public String describe() {
        String g = architecture == Architecture.SHUFFLENET ? " g=" + groups : "";
        return architecture.referenceName() + " " + widthMultiplier + "x" + g + ", " + numClasses + " classes";
    }
}
