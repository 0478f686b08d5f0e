package org.shufflenet3d.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Per-layer output shapes, parameters and FLOPs of one clip, then the totals.")
final class SummaryCommand implements Callable<Integer> {

    @Mixin
    NetworkOptions network;

    @Option(names = "--frames", paramLabel = "D", defaultValue = "16", description = "Frames per clip (default 16).")
    int frames;

    @Option(names = "--size", paramLabel = "S|HxW", defaultValue = "112",
            description = "Frame size in pixels: S for SxS, or HxW (default 112).")
    String size;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ClipShape clip = FrameSize.clip(frames, size);
        PrintWriter out = spec.commandLine().getOut();
        out.print(ShuffleNet3d.create(network.config(), clip).summary().toTable());
        out.flush();
        return 0;
    }
}
