package org.shufflenet3d.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --weights}, declared once: a command takes it as an argument group, required
 * ({@code @ArgGroup(exclusive = false, multiplicity = "1")}) or optional ({@code multiplicity = "0..1"}, then null
 * when absent).
 */
final class WeightsOption {

    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "The network's weights: a PyTorch checkpoint (.pth), the arrays of a state_dict (.npz)"
                    + " or a saved model (.sd); --arch, --width, --groups and --classes are read from them.")
    Path file;
}
