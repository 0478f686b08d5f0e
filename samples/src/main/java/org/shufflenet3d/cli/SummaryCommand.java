package org.shufflenet3d.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.WeightFiles;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Per-layer output shapes, parameters and FLOPs of one clip, then the totals. With --weights,"
                + " first the configuration the weights were made for.")
final class SummaryCommand implements Callable<Integer> {

    @Mixin
    NetworkOptions network;

    @Mixin
    ClipOptions clip;

    @ArgGroup(exclusive = false, multiplicity = "0..1")
    WeightsOption weights;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Optional<WeightFiles.Weights> read = weights == null ? Optional.empty()
                : Optional.of(WeightFiles.read(weights.file));
        ShuffleNetConfig config = network.config(read);
        PrintWriter out = spec.commandLine().getOut();
        read.ifPresent(w -> out.println("weights: " + w.source() + ": " + w.config().describe()
                + w.architecture().map(a -> " (arch " + a.referenceName() + ")").orElse("")));
        out.print(ShuffleNet3d.create(config, clip.clip()).summary().toTable());
        out.flush();
        return 0;
    }
}
