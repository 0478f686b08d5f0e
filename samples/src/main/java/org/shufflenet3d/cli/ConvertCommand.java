package org.shufflenet3d.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.io.AtomicFiles;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Converts weights (e.g. a reference checkpoint) to a saved SameDiff model (.sd) for clips of"
                + " --frames and --size, and to an .npz of state_dict arrays beside it.")
final class ConvertCommand implements Callable<Integer> {

    private static final String MODEL_EXTENSION = ".sd";

    @Mixin
    NetworkOptions network;

    @Mixin
    ClipOptions clip;

    @ArgGroup(exclusive = false, multiplicity = "1")
    WeightsOption weights;

    @Option(names = "--output", required = true, paramLabel = "OUT",
            description = "The model file; '.sd' is added when it has no extension. The .npz goes beside it.")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String name = output.getFileName().toString();
        int dot = name.lastIndexOf('.');
        Path modelFile = dot < 0 ? output.resolveSibling(name + MODEL_EXTENSION) : output;
        String stem = dot < 0 ? name : name.substring(0, dot);
        Path weightsFile = output.resolveSibling(stem + ".npz");
        AtomicFiles.requireWritable(modelFile);
        AtomicFiles.requireWritable(weightsFile);
        ShuffleNet3dCommand.doing("loading the model from " + weights.file);
        ShuffleNet3d model = network.load(weights.file, clip.clip());
        ShuffleNet3dCommand.doing("saving the model");
        model.save(modelFile);
        model.saveWeights(weightsFile);
        PrintWriter out = spec.commandLine().getOut();
        out.println("model: " + modelFile + " (" + model.config().describe() + ", clips 3x" + model.clipShape() + ")");
        out.println("weights: " + weightsFile);
        out.flush();
        return 0;
    }
}
