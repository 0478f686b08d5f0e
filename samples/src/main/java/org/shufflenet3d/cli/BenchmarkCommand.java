package org.shufflenet3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.graph.GraphExecutor;
import org.shufflenet3d.train.FineTuning;
import org.shufflenet3d.train.SgdOptimizer;
import org.shufflenet3d.train.TrainingSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = {"Median eval-mode latency of a batch of random clips and clips/s; with --train, the median"
                + " training step (SGD, the reference's settings) too; then the process's peak resident memory and"
                + " peak heap. --profile adds the time per kind of op.",
                "With --compare: V1 g=3 1.0x, V2 1.0x and V2 0.25x (600 classes) at batch 1 and 8 and a training step"
                + " at batch 8, each in a JVM of its own and then, when --python imports torch, in PyTorch with the"
                + " reference's code; one table of both with their ratios."})
final class BenchmarkCommand implements Callable<Integer> {

    /** The reference benchmark, relative to the repository root. */
    static final String REFERENCE_SCRIPT = "samples/src/main/python/benchmark_reference.py";

    @Mixin
    NetworkOptions network;

    @Mixin
    ClipOptions clip;

    @Option(names = "--batch", paramLabel = "N", split = ",",
            description = "Clips per batch (default 8); several (--batch 1,8) time each, and --train the largest.")
    List<Integer> batches = new ArrayList<>(List.of(8));

    @Option(names = "--runs", defaultValue = "7", description = "Timed runs (default 7), after --warmup runs.")
    int runs;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs first (default 3).")
    int warmup;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads for ND4J's native code (and PyTorch's with --compare); by default all cores.")
    Integer threads;

    @Option(names = "--train", description = "Also time a training step.")
    boolean train;

    @Option(names = "--tsv", description = "Print tab-separated result lines (eval, train, memory) instead of text.")
    boolean tsv;

    @Option(names = "--profile", paramLabel = "N",
            description = "After the timed runs, the N kinds of op that took longest (ND4J's op names), per run.")
    Integer profile;

    @Option(names = "--compare", description = "Compare with the PyTorch reference (see above).")
    boolean compare;

    @Option(names = "--python", paramLabel = "PATH", defaultValue = "/usr/bin/python3",
            description = "The Python with torch for --compare (default /usr/bin/python3).")
    Path python;

    @Option(names = "--reference-script", paramLabel = "PATH", defaultValue = REFERENCE_SCRIPT,
            description = "The reference benchmark script for --compare (default " + REFERENCE_SCRIPT + ").")
    Path referenceScript;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (batches.isEmpty() || batches.stream().anyMatch(b -> b < 1) || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --runs must be at least 1 and --warmup at least 0");
        }
        if (profile != null && profile < 1) {
            throw new IllegalArgumentException("--profile must be at least 1, got " + profile);
        }
        if (threads != null && threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        if (compare) {
            return compare();
        }
        if (threads != null) {
            // ND4J 1.0.0-M2.1 keeps its environment's maxThreads as it is; OpenMP's count is what the ops use.
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        }
        ClipShape shape = clip.clip();
        ShuffleNet3d model = ShuffleNet3d.create(network.config(Optional.empty()), shape);
        String key = ReferenceComparison.key(model.config());
        PrintWriter out = spec.commandLine().getOut();
        if (!tsv) {
            out.printf(Locale.ROOT, "%s, 3x%s clips, %d runs after %d warm-up runs, %d threads%n",
                    model.config().describe(), shape, runs, warmup,
                    NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads());
        }
        for (int batch : batches) {
            INDArray clips = randomClips(shape, batch);
            Timings inference = Timings.measure(() -> model.output(clips), warmup, runs);
            if (tsv) {
                out.println(new ReferenceComparison.Result("eval", key, batch, List.of(inference.median())).format());
            } else {
                out.printf(Locale.ROOT, "batch %d eval-mode forward: median %.1f ms (min %.1f, max %.1f)%n", batch,
                        inference.median(), inference.min(), inference.max());
                out.printf(Locale.ROOT, "clips/s: %.2f%n", batch * 1000.0 / inference.median());
            }
            if (profile != null) {
                GraphExecutor.OpTimes times = new GraphExecutor.OpTimes(false);
                Timings.measure(() -> model.output(clips, times), 0, runs);
                printProfile(out, "batch " + batch + " eval-mode forward", times);
            }
            out.flush();
        }
        if (train) {
            int batch = Collections.max(batches);
            INDArray clips = randomClips(shape, batch);
            TrainingSession session = new TrainingSession(model, SgdOptimizer.reference(), FineTuning.COMPLETE, 0.2);
            int[] labels = new int[batch];
            Random random = new Random(1);
            Timings steps = Timings.measure(() -> session.step(clips, labels, 1e-4, random), Math.max(1, warmup / 2),
                    runs);
            if (tsv) {
                out.println(new ReferenceComparison.Result("train", key, batch, List.of(steps.median())).format());
            } else {
                out.printf(Locale.ROOT, "batch %d training step: median %.1f ms (min %.1f, max %.1f)%n", batch,
                        steps.median(), steps.min(), steps.max());
            }
            if (profile != null) {
                GraphExecutor.OpTimes times = new GraphExecutor.OpTimes(false);
                Timings.measure(() -> session.step(clips, labels, 1e-4, random, times), 0, runs);
                printProfile(out, "batch " + batch + " training step", times);
            }
        }
        MemoryUse memory = MemoryUse.peak();
        if (tsv) {
            out.println(new ReferenceComparison.Result("memory", key, 0,
                    List.of(memory.residentMegabytes(), memory.heapMegabytes())).format());
        } else {
            out.printf(Locale.ROOT, "peak memory: resident %.0f MB, heap %.0f MB%n", memory.residentMegabytes(),
                    memory.heapMegabytes());
        }
        out.flush();
        return 0;
    }

    private int compare() throws IOException, InterruptedException {
        if (network.arch != null || network.width != null || network.groups != null || network.classes != null) {
            throw new IllegalArgumentException("--compare measures its own set of models: leave out --arch, --width,"
                    + " --groups and --classes");
        }
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        ClipShape shape = clip.clip();
        List<String> options = List.of("--batch", join(ReferenceComparison.BATCHES), "--train",
                "--runs", String.valueOf(runs), "--warmup", String.valueOf(warmup),
                "--threads", String.valueOf(threadCount), "--frames", String.valueOf(shape.frames()),
                "--size", shape.height() + "x" + shape.width());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<String> torch = ReferenceComparison.torchVersion(python);
        out.printf(Locale.ROOT, "3x%s clips, medians of %d runs after %d warm-up runs, %d threads; Java: ND4J, each"
                + " model in a JVM of its own; PyTorch: %s%n", shape, runs, warmup, threadCount,
                torch.map(v -> v + " (" + python + ")").orElse("not measured (" + python + " cannot import torch)"));
        out.flush();
        List<ReferenceComparison.Result> java = new ArrayList<>();
        List<ReferenceComparison.Result> reference = new ArrayList<>();
        for (ShuffleNetConfig config : ReferenceComparison.MODELS) {
            err.println("Java: " + config.describe());
            err.flush();
            java.addAll(ReferenceComparison.run(ReferenceComparison.javaCommand(config, options), threadCount));
            if (torch.isPresent()) {
                err.println("PyTorch: " + config.describe());
                err.flush();
                reference.addAll(ReferenceComparison.run(referenceCommand(config, threadCount, shape), threadCount));
            }
        }
        out.print(ReferenceComparison.table(java, reference));
        out.flush();
        return 0;
    }

    /** The reference script's command line for one model, measured as the Java side measures it. */
    private List<String> referenceCommand(ShuffleNetConfig config, int threadCount, ClipShape shape) {
        List<String> command = new ArrayList<>(List.of(python.toString(), referenceScript.toString(),
                "--model", ReferenceComparison.key(config), "--classes", String.valueOf(config.numClasses()),
                "--threads", String.valueOf(threadCount),
                "--train-batch", String.valueOf(Collections.max(ReferenceComparison.BATCHES)),
                "--runs", String.valueOf(runs), "--warmup", String.valueOf(warmup),
                "--frames", String.valueOf(shape.frames()), "--height", String.valueOf(shape.height()),
                "--width", String.valueOf(shape.width())));
        for (int batch : ReferenceComparison.BATCHES) {
            command.addAll(List.of("--batch", String.valueOf(batch)));
        }
        return command;
    }

    /** The slowest kinds of op, milliseconds and calls per run. */
    private void printProfile(PrintWriter out, String what, GraphExecutor.OpTimes times) {
        if (tsv) {
            return;
        }
        out.printf(Locale.ROOT, "%s, per run: op, ms, calls%n", what);
        times.slowestFirst().stream().limit(profile).forEach(e -> out.printf(Locale.ROOT, "  %-40s %8.1f %6.0f%n",
                e.getKey(), e.getValue()[0] / runs, e.getValue()[1] / runs));
    }

    private static String join(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }

    private static INDArray randomClips(ClipShape shape, int batch) {
        return Nd4j.rand(DataType.FLOAT, shape.batchShape(batch)).muli(255).subi(110);
    }
}
