package org.shufflenet3d.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.shufflenet3d.NativeThreads;
import org.shufflenet3d.WeightFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code shufflenet3d-spark}: per-video prediction and embedding over a corpus of videos on Apache Spark. Run with
 * {@code java -jar} it starts Spark itself (local mode on every core unless {@code --master} says otherwise); the
 * same jar runs under {@code spark-submit --class org.shufflenet3d.spark.ShuffleNet3dSpark}.
 */
@Command(name = "shufflenet3d-spark", mixinStandardHelpOptions = true, version = "shufflenet3d-spark 0.1.0",
        description = "3D ShuffleNet prediction and embedding of every video of a corpus, on Apache Spark.",
        subcommands = {ShuffleNet3dSpark.Predict.class, ShuffleNet3dSpark.Embed.class, SparkBenchmark.class,
            CommandLine.HelpCommand.class})
public final class ShuffleNet3dSpark {

    static final String INPUT_DESCRIPTION = "A folder or glob of videos, a video, or a .txt (one a line) or .csv"
            + " (a 'path' column) file listing paths or URIs (hdfs://, s3a://, ...).";

    public static void main(String[] args) {
        NativeThreads.preferPassiveWaiting();
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, with one-line error reporting. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new ShuffleNet3dSpark());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("shufflenet3d-spark: " + e.getMessage() + " (see '"
                    + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("shufflenet3d-spark: " + describe(e));
            return 1;
        });
        return cli;
    }

    /** One line on why a command failed. */
    static String describe(Exception e) {
        if (e instanceof IllegalArgumentException || e instanceof IOException) {
            String message = String.valueOf(e.getMessage());
            return message.lines().findFirst().orElse(message);
        }
        return WeightFiles.rootCause(e).lines().findFirst().orElse(e.getClass().getSimpleName());
    }

    /** What {@code predict} and {@code embed} do once their settings are made. */
    abstract static class JobCommand implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "INPUT", description = INPUT_DESCRIPTION)
        String input;

        @Mixin
        JobOptions options;

        @Spec
        CommandLine.Model.CommandSpec spec;

        abstract JobSettings settings();

        Path labels() {
            return null;
        }

        @Override
        public Integer call() throws IOException {
            JobSettings settings = settings();
            SparkSession spark = SparkSessions.start("shufflenet3d " + spec.name(), options.master);
            VideoCorpusJob.Summary summary;
            try {
                summary = VideoCorpusJob.run(spark, input, options.weights, labels(), options.output,
                        options.format, options.overwrite, settings);
            } finally {
                spark.stop();
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("wrote " + summary.videos() + (summary.videos() == 1 ? " row" : " rows") + " to "
                    + options.output);
            out.flush();
            if (summary.failed() > 0) {
                spec.commandLine().getErr().println("shufflenet3d-spark: " + summary.failed() + " of "
                        + summary.videos() + " videos could not be read; their rows have the error");
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "predict", mixinStandardHelpOptions = true,
            description = "Top-K classes of every video with their probabilities, averaged over each video's"
                    + " consecutive clips as the reference's test scores them.")
    static final class Predict extends JobCommand {

        @Option(names = "--labels", paramLabel = "FILE",
                description = "Class names in label order (a local file): classInd.txt lines '1 name', or one name"
                        + " a line (default: the label numbers).")
        Path labels;

        @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Classes per video (default 5).")
        int top;

        @Override
        JobSettings settings() {
            return new JobSettings(JobSettings.Task.PREDICT, options.clips(), options.batch, top, null, false,
                    options.partitions);
        }

        @Override
        Path labels() {
            return labels;
        }
    }

    @Command(name = "embed", mixinStandardHelpOptions = true,
            description = "The embedding of every video: the mean of the network's pooled features over the"
                    + " video's consecutive clips.")
    static final class Embed extends JobCommand {

        @Option(names = "--l2", description = "L2-normalise each embedding.")
        boolean l2;

        @Override
        JobSettings settings() {
            return new JobSettings(JobSettings.Task.EMBED, options.clips(), options.batch, 1, null, l2,
                    options.partitions);
        }
    }
}
