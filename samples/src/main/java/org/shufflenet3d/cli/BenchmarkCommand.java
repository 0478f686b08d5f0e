package org.shufflenet3d.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.train.FineTuning;
import org.shufflenet3d.train.Sgd;
import org.shufflenet3d.train.TrainingSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Median eval-mode latency of a batch of random clips and clips/s; with --train, the median"
                + " training step (SGD, the reference's settings) too; then peak heap and off-heap memory.")
final class BenchmarkCommand implements Callable<Integer> {

    @Mixin
    NetworkOptions network;

    @Mixin
    ClipOptions clip;

    @Option(names = "--batch", defaultValue = "8", description = "Clips per batch (default 8).")
    int batch;

    @Option(names = "--runs", defaultValue = "7", description = "Timed runs (default 7), after --warmup runs.")
    int runs;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs first (default 3).")
    int warmup;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads for ND4J's native code (OMP_NUM_THREADS); by default all cores.")
    Integer threads;

    @Option(names = "--train", description = "Also time a training step.")
    boolean train;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (batch < 1 || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --runs must be at least 1 and --warmup at least 0");
        }
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            }
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            Nd4j.getEnvironment().setMaxThreads(threads);
        }
        ClipShape shape = clip.clip();
        ShuffleNet3d model = ShuffleNet3d.create(network.config(Optional.empty()), shape);
        INDArray clips = Nd4j.rand(DataType.FLOAT, shape.batchShape(batch)).muli(255).subi(110);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s, batch %d of 3x%s, %d runs after %d warm-up runs, %d threads%n",
                model.config().describe(), batch, shape, runs, warmup, Nd4j.getEnvironment().maxThreads());
        Timings inference = Timings.measure(() -> model.output(clips), warmup, runs);
        out.printf(Locale.ROOT, "eval-mode forward: median %.1f ms (min %.1f, max %.1f)%n", inference.median(),
                inference.min(), inference.max());
        out.printf(Locale.ROOT, "clips/s: %.2f%n", batch * 1000.0 / inference.median());
        if (train) {
            TrainingSession session = new TrainingSession(model, Sgd.reference(), FineTuning.COMPLETE, 0.2);
            int[] labels = new int[batch];
            Random random = new Random(1);
            Timings steps = Timings.measure(() -> session.step(clips, labels, 1e-4, random), Math.max(1, warmup / 2),
                    runs);
            out.printf(Locale.ROOT, "training step: median %.1f ms (min %.1f, max %.1f)%n", steps.median(),
                    steps.min(), steps.max());
        }
        MemoryUse memory = MemoryUse.peak();
        out.printf(Locale.ROOT, "peak memory: heap %.0f MB, off-heap %.0f MB%n", memory.heapMegabytes(),
                memory.offHeapMegabytes());
        out.flush();
        return 0;
    }
}
