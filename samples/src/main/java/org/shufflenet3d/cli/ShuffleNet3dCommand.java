package org.shufflenet3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code shufflenet3d} tool. With no command it runs the demo: a summary and a timed forward pass. */
@Command(name = "shufflenet3d", mixinStandardHelpOptions = true, version = "shufflenet3d 0.1.0",
        description = "3D ShuffleNet V1/V2 video classifiers on Deeplearning4j. Without a command: a demo"
                + " (summary of ShuffleNet V2 1.0x and a timed forward pass of a generated clip).",
        subcommands = {SummaryCommand.class, LogitsCommand.class, ConvertCommand.class, TrainCommand.class, BenchmarkCommand.class,
            EvaluateCommand.class,
            CommandLine.HelpCommand.class})
public final class ShuffleNet3dCommand implements Callable<Integer> {

    private static final int DEMO_BATCH = 8;
    private static final int DEMO_WARMUPS = 3;
    private static final int DEMO_RUNS = 7;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, with one-line error reporting. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ShuffleNet3dCommand());
        cli.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("shufflenet3d: " + e.getMessage() + " (see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("shufflenet3d: " + describe(e));
            return 1;
        });
        return cli;
    }

    static String describe(Exception e) {
        if (e instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile();
        }
        if (e instanceof IllegalArgumentException || e instanceof IOException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ShuffleNet3d model = ShuffleNet3d.create(ShuffleNetConfig.v2(1.0, 600), ClipShape.DEFAULT);
        out.print(model.summary().toTable());
        out.println();
        INDArray clips = Nd4j.rand(DataType.FLOAT, ClipShape.DEFAULT.batchShape(DEMO_BATCH)).muli(255).subi(110);
        out.printf(Locale.ROOT, "eval-mode forward pass, batch %d of 3x%s clips, %d runs after %d warm-up runs:%n",
                DEMO_BATCH, ClipShape.DEFAULT, DEMO_RUNS, DEMO_WARMUPS);
        out.flush();
        Timings timings = Timings.measure(() -> model.output(clips), DEMO_WARMUPS, DEMO_RUNS);
        out.printf(Locale.ROOT, "median %.0f ms (min %.0f, max %.0f)%n", timings.median(), timings.min(), timings.max());
        out.printf(Locale.ROOT, "clips/s: %.1f%n", DEMO_BATCH * 1000.0 / timings.median());
        out.flush();
        return 0;
    }
}
