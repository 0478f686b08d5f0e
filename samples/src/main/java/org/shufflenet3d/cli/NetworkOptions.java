package org.shufflenet3d.cli;

import org.shufflenet3d.Architecture;
import org.shufflenet3d.ShuffleNetConfig;
import picocli.CommandLine.Option;

/** The network's configuration, as the reference's constructors take it. */
final class NetworkOptions {

    /** The reference's default for ShuffleNet V1. */
    private static final int DEFAULT_V1_GROUPS = 3;

    @Option(names = "--arch", required = true, paramLabel = "shufflenet|shufflenetv2",
            description = "Network family: shufflenet (V1) or shufflenetv2.")
    String arch;

    @Option(names = "--groups", paramLabel = "G",
            description = "Groups of V1's 1x1x1 convolutions: 1, 2, 3, 4 or 8 (default 3). Not for V2.")
    Integer groups;

    @Option(names = "--width", required = true, paramLabel = "W",
            description = "Width multiplier: 0.25, 0.5, 1.0, 1.5 or 2.0.")
    double width;

    @Option(names = "--classes", required = true, paramLabel = "K", description = "Number of classes.")
    int classes;

    ShuffleNetConfig config() {
        Architecture architecture = Architecture.fromReferenceName(arch);
        if (architecture == Architecture.SHUFFLENET) {
            return ShuffleNetConfig.v1(groups == null ? DEFAULT_V1_GROUPS : groups, width, classes);
        }
        return new ShuffleNetConfig(architecture, width, groups == null ? 0 : groups, classes);
    }
}
