package org.shufflenet3d.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.Pointer;
import org.shufflenet3d.NativeThreads;
import org.shufflenet3d.data.InvalidDatasetException;
import org.shufflenet3d.video.InvalidVideoException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code shufflenet3d} tool. With no command it runs the end-to-end {@code demo}. */
@Command(name = "shufflenet3d", mixinStandardHelpOptions = true, version = "shufflenet3d 0.1.0",
        description = "3D ShuffleNet V1/V2 video classifiers on Deeplearning4j. Without a command: the demo (writes"
                + " videos, trains, evaluates, saves and classifies; see 'demo --help').",
        subcommands = {DemoCommand.class, PredictCommand.class, EmbedCommand.class, TrainCommand.class,
            EvaluateCommand.class, SummaryCommand.class, LogitsCommand.class, ConvertCommand.class, BenchmarkCommand.class,
            CommandLine.HelpCommand.class})
public final class ShuffleNet3dCommand implements Callable<Integer> {

    /** What the command is doing, for the message when memory runs out. */
    private static volatile String activity;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        NativeThreads.preferPassiveWaiting();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, with one-line error reporting. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ShuffleNet3dCommand());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("shufflenet3d: " + message(e) + " (see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            OutOfMemoryError outOfMemory = outOfMemoryCause(e);
            commandLine.getErr().println("shufflenet3d: " + (outOfMemory != null ? describe(outOfMemory)
                    : describe(e)));
            return 1;
        });
        cli.setExecutionStrategy(parseResult -> {
            activity = null;
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } catch (OutOfMemoryError e) {
                parseResult.commandSpec().commandLine().getErr().println("shufflenet3d: " + describe(e));
                return 1;
            }
        });
        return cli;
    }

    /** Records what the command does now: a running-out of memory is reported as needed by it. */
    static void doing(String what) {
        activity = what;
    }

    /** Picocli's message, but an unknown value of a choice is named with the choices as the help spells them. */
    static String message(ParameterException e) {
        if (e.getArgSpec() instanceof OptionSpec option && option.type().isEnum() && e.getValue() != null) {
            return "unknown " + option.longestName() + " '" + e.getValue() + "': expected one of "
                    + Arrays.stream(option.type().getEnumConstants())
                            .map(choice -> ((Enum<?>) choice).name().toLowerCase(Locale.ROOT)).toList();
        }
        return e.getMessage().replaceFirst("^Error: ", "");
    }

    static String describe(Exception e) {
        if (e instanceof NoSuchFileException missing) {
            return "no such file: " + missing.getFile();
        }
        if (e instanceof AccessDeniedException denied) {
            return "permission denied: " + denied.getFile();
        }
        if (e instanceof FileSystemException fileSystem && fileSystem.getReason() == null) {
            return fileSystem.getFile() + ": " + e.getClass().getSimpleName();
        }
        if (e instanceof IllegalArgumentException || e instanceof IOException || e instanceof InvalidVideoException
                || e instanceof InvalidDatasetException) {
            return e.getMessage();
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /**
     * What ran out of memory, what needed it, and how to give more: the Java heap's -Xmx, or the native memory
     * JavaCPP lets ND4J and FFmpeg have.
     */
    static String describe(OutOfMemoryError e) {
        String message = String.valueOf(e.getMessage());
        String doing = activity == null ? "" : " while " + activity;
        if (message.contains("array size exceeds VM limit")) {
            return "out of memory" + doing + ": one array would be larger than Java allows; use smaller inputs";
        }
        if (message.contains("hysical") || message.contains("Cannot allocate") || message.contains("maxBytes")
                || message.contains("aximum")) {
            return "out of native memory" + doing + " (" + message.lines().findFirst().orElse("") + "); give more"
                    + " with -Dorg.bytedeco.javacpp.maxphysicalbytes (now " + size(Pointer.maxPhysicalBytes())
                    + ") and -Dorg.bytedeco.javacpp.maxbytes (now " + size(Pointer.maxBytes()) + "), e.g. java"
                    + " -Dorg.bytedeco.javacpp.maxphysicalbytes=16G -Dorg.bytedeco.javacpp.maxbytes=12G -jar ...";
        }
        return "out of memory" + doing + ": the Java heap (at most " + size(Runtime.getRuntime().maxMemory())
                + ") is full; give more with -Xmx, e.g. java -Xmx8g -jar ...";
    }

    private static String size(long bytes) {
        if (bytes <= 0) {
            return "no limit";
        }
        return bytes < 1L << 30 ? (bytes >> 20) + " MB"
                : String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
    }

    private static OutOfMemoryError outOfMemoryCause(Throwable e) {
        for (int depth = 0; e != null && depth < 32; depth++, e = e.getCause()) {
            if (e instanceof OutOfMemoryError outOfMemory) {
                return outOfMemory;
            }
        }
        return null;
    }

    @Override
    public Integer call() {
        return spec.subcommands().get("demo").execute();
    }
}
