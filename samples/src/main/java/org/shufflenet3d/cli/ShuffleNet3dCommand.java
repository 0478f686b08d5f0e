package org.shufflenet3d.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import org.shufflenet3d.NativeThreads;
import org.shufflenet3d.data.InvalidDatasetException;
import org.shufflenet3d.video.InvalidVideoException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code shufflenet3d} tool. With no command it runs the end-to-end {@code demo}. */
@Command(name = "shufflenet3d", mixinStandardHelpOptions = true, version = "shufflenet3d 0.1.0",
        description = "3D ShuffleNet V1/V2 video classifiers on Deeplearning4j. Without a command: the demo (writes"
                + " videos, trains, evaluates, saves and classifies; see 'demo --help').",
        subcommands = {DemoCommand.class, PredictCommand.class, TrainCommand.class, EvaluateCommand.class,
            SummaryCommand.class, LogitsCommand.class, ConvertCommand.class, BenchmarkCommand.class,
            CommandLine.HelpCommand.class})
public final class ShuffleNet3dCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        NativeThreads.preferPassiveWaiting();
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
        if (e instanceof IllegalArgumentException || e instanceof IOException || e instanceof InvalidVideoException
                || e instanceof InvalidDatasetException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public Integer call() {
        return spec.subcommands().get("demo").execute();
    }
}
