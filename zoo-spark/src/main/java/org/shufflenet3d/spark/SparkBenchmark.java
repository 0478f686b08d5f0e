package org.shufflenet3d.spark;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.shufflenet3d.Architecture;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.data.MovingShapeVideos;
import org.shufflenet3d.video.VideoWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Videos per second of {@code predict} in local mode on 1 core and on 2 (or the cores asked for), on generated
 * videos: how the job scales on one machine.
 */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Videos/s of predict in local mode with 1 and with 2 cores (--cores) on generated videos, and"
                + " the speed-up. Each measurement follows a warm-up run on the same session.")
final class SparkBenchmark implements Callable<Integer> {

    @Option(names = "--videos", paramLabel = "N", defaultValue = "64", description = "Videos (default 64).")
    int videos;

    @Option(names = "--video-frames", paramLabel = "T", defaultValue = "64",
            description = "Frames per video (default 64: four clips of 16).")
    int videoFrames;

    @Option(names = "--size", paramLabel = "S", defaultValue = "112",
            description = "Video frames and clips are S x S (default 112).")
    int size;

    @Option(names = "--frames", paramLabel = "D", defaultValue = "16", description = "Frames per clip (default 16).")
    int frames;

    @Option(names = "--arch", paramLabel = "shufflenet|shufflenetv2", defaultValue = "shufflenetv2",
            description = "Network family (default shufflenetv2).")
    String arch;

    @Option(names = "--width", paramLabel = "W", defaultValue = "1.0", description = "Width multiplier (default 1.0).")
    double width;

    @Option(names = "--classes", paramLabel = "K", defaultValue = "600", description = "Classes (default 600).")
    int classes;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8", description = "Clips per forward pass (default 8).")
    int batch;

    @Option(names = "--cores", paramLabel = "C", split = ",", defaultValue = "1,2",
            description = "Local cores of each measurement (default 1,2).")
    List<Integer> cores;

    @Option(names = "--runs", paramLabel = "R", defaultValue = "3",
            description = "Timed runs per core count, after one warm-up run; the median is reported (default 3).")
    int runs;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (videos < 1 || videoFrames < 1 || runs < 1 || cores.isEmpty() || cores.stream().anyMatch(c -> c < 1)) {
            throw new IllegalArgumentException("--videos, --video-frames, --runs and --cores must be at least 1");
        }
        if (SparkSessions.underSparkSubmit()) {
            throw new IllegalArgumentException("benchmark starts local Spark sessions of its own; run it with java"
                    + " -jar, not spark-submit");
        }
        Architecture architecture = Architecture.fromReferenceName(arch);
        ShuffleNetConfig config = architecture == Architecture.SHUFFLENET ? ShuffleNetConfig.v1(3, width, classes)
                : ShuffleNetConfig.v2(width, classes);
        ClipSettings clips = ClipSettings.DEFAULT.withShape(frames, size);
        JobSettings settings = JobSettings.predict(clips, 5).withBatch(batch);
        PrintWriter out = spec.commandLine().getOut();
        Path work = Files.createTempDirectory("shufflenet3d-spark-benchmark-");
        try {
            Path weights = work.resolve("weights.npz");
            ShuffleNet3d.create(config, clips.shape()).saveWeights(weights);
            Path videoFolder = work.resolve("videos");
            for (int v = 0; v < videos; v++) {
                int label = v % MovingShapeVideos.CLASS_NAMES.size();
                VideoWriter.write(videoFolder.resolve(String.format(Locale.ROOT, "video-%04d.mp4", v)), videoFrames,
                        MovingShapeVideos.frameSource(label, videoFrames, size, size, v), 25);
            }
            out.printf(Locale.ROOT, "%s, 3x%s clips, batch %d: %d videos of %dx%d, %d frames%n", config.describe(),
                    clips.shape(), batch, videos, size, size, videoFrames);
            out.flush();
            List<Double> rates = new ArrayList<>();
            for (int coreCount : cores) {
                double rate = measure(coreCount, videoFolder, weights, work.resolve("output"), settings);
                rates.add(rate);
                out.printf(Locale.ROOT, "%d %s: %.3f videos/s%n", coreCount, coreCount == 1 ? "core" : "cores", rate);
                out.flush();
            }
            for (int i = 1; i < rates.size(); i++) {
                out.printf(Locale.ROOT, "speed-up %d -> %d cores: %.2fx%n", cores.get(0), cores.get(i),
                        rates.get(i) / rates.get(0));
            }
        } finally {
            deleteTree(work);
        }
        return 0;
    }

    /** The median videos/s of {@link #runs} runs on {@code coreCount} local cores, after a warm-up run. */
    private double measure(int coreCount, Path videoFolder, Path weights, Path output, JobSettings settings)
            throws IOException {
        SparkSession spark = SparkSessions.start("shufflenet3d benchmark", "local[" + coreCount + "]");
        try {
            List<Double> rates = new ArrayList<>();
            for (int run = 0; run <= runs; run++) {
                VideoCorpusJob.Summary summary = VideoCorpusJob.run(spark, videoFolder.toString(), weights.toString(),
                        null, output.toString(), OutputFormat.PARQUET, true, settings);
                if (summary.failed() > 0) {
                    throw new IllegalStateException(summary.failed() + " generated videos could not be read");
                }
                if (run > 0) {
                    rates.add(summary.videos() / summary.jobSeconds());
                }
            }
            rates.sort(null);
            return rates.get(rates.size() / 2);
        } finally {
            spark.stop();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
