package org.shufflenet3d.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.shufflenet3d.Architecture;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.WeightFiles;
import picocli.CommandLine.Option;

/**
 * The network's configuration, as the reference's constructors take it. With a weights file, what is left out
 * is read from the weights; what is given must agree with them.
 */
final class NetworkOptions {

    /** The reference's default for ShuffleNet V1. */
    private static final int DEFAULT_V1_GROUPS = 3;

    @Option(names = "--arch", paramLabel = "shufflenet|shufflenetv2",
            description = "Network family: shufflenet (V1) or shufflenetv2. Read from --weights when left out.")
    String arch;

    @Option(names = "--groups", paramLabel = "G",
            description = "Groups of V1's 1x1x1 convolutions: 1, 2, 3, 4 or 8 (default 3). Not for V2.")
    Integer groups;

    @Option(names = "--width", paramLabel = "W",
            description = "Width multiplier: 0.25, 0.5, 1.0, 1.5 or 2.0. Read from --weights when left out.")
    Double width;

    @Option(names = "--classes", paramLabel = "K", description = "Number of classes. Read from --weights when left out.")
    Integer classes;

    /** The network the weights file holds, checked against the options given, for clips of {@code clip}. */
    ShuffleNet3d load(Path weights, ClipShape clip) throws IOException {
        WeightFiles.Weights read = WeightFiles.read(weights);
        return ShuffleNet3d.fromWeights(read, config(Optional.of(read)), clip);
    }

    /** The configuration given on the command line, completed from the weights when there are some. */
    ShuffleNetConfig config(Optional<WeightFiles.Weights> weights) {
        return config(weights, null);
    }

    /**
     * The configuration given on the command line, completed from the weights when there are some; without
     * weights, {@code dataClasses} (when not null) is the class count, which {@code --classes} must then equal.
     */
    ShuffleNetConfig config(Optional<WeightFiles.Weights> weights, Integer dataClasses) {
        if (dataClasses != null && classes != null && !classes.equals(dataClasses)) {
            throw new IllegalArgumentException("--classes " + classes + " but the data has " + dataClasses
                    + " classes");
        }
        Integer given = classes != null ? classes : weights.isEmpty() ? dataClasses : null;
        if (weights.isEmpty() && (arch == null || width == null || given == null)) {
            throw new IllegalArgumentException("--arch, --width and --classes are required (or --weights to read them"
                    + " from)");
        }
        Optional<ShuffleNetConfig> inferred = weights.map(WeightFiles.Weights::config);
        Architecture architecture = arch != null ? Architecture.fromReferenceName(arch)
                : inferred.orElseThrow().architecture();
        double w = width != null ? width : inferred.orElseThrow().widthMultiplier();
        int k = given != null ? given : inferred.orElseThrow().numClasses();
        if (architecture == Architecture.SHUFFLENET) {
            int g = groups != null ? groups
                    : inferred.filter(c -> c.architecture() == architecture).map(ShuffleNetConfig::groups)
                            .orElse(DEFAULT_V1_GROUPS);
            return ShuffleNetConfig.v1(g, w, k);
        }
        return new ShuffleNetConfig(architecture, w, groups == null ? 0 : groups, k);
    }
}
