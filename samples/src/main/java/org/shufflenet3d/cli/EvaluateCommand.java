package org.shufflenet3d.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.data.LabeledClips;
import org.shufflenet3d.train.Evaluator;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Loss, top-1, top-5, per-class and video-level accuracy and the confusion matrix of a model on"
                + " a dataset: by default every consecutive clip of each video, scored per clip and per video as the"
                + " reference's test does.")
final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    NetworkOptions network;

    @Mixin
    ClipOptions clip;

    @Mixin
    DataOptions data;

    @ArgGroup(exclusive = false, multiplicity = "1")
    WeightsOption weights;

    @Option(names = "--batch", defaultValue = "8", description = "Clips per batch (default 8).")
    int batch;

    @Option(names = "--clips", paramLabel = "all|center", defaultValue = "all",
            description = "Which clips of each video: all consecutive ones (default) or the centre one.")
    String clips;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!clips.equals("all") && !clips.equals("center")) {
            throw new IllegalArgumentException("unknown --clips '" + clips + "': expected all or center");
        }
        ShuffleNet3dCommand.doing("reading the dataset");
        LabeledClips dataset = data.evaluation(clip.clip(), clips.equals("all"));
        ShuffleNet3dCommand.doing("loading the model from " + weights.file);
        ShuffleNet3d model = network.load(weights.file, clip.clip());
        PrintWriter out = spec.commandLine().getOut();
        ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), out);
        ShuffleNet3dCommand.doing("evaluating in batches of " + batch + " clips of 3x" + clip.clip());
        out.print(Evaluator.evaluate(model, dataset, batch, progress).report(dataset.classNames()));
        out.flush();
        return 0;
    }
}
