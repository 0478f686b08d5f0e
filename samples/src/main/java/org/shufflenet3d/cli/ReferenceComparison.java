package org.shufflenet3d.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.shufflenet3d.Architecture;
import org.shufflenet3d.ShuffleNetConfig;

/**
 * The measurements {@code benchmark --compare} makes and the table it prints: each model timed in a JVM of its own
 * by {@code benchmark --tsv}, and in PyTorch by the reference benchmark script, whose result lines share one
 * tab-separated form: {@code eval <model> <batch> <ms>}, {@code train <model> <batch> <ms>} and
 * {@code memory <model> <MB>...}, where a model is {@code shufflenet:<groups>:<width>} or
 * {@code shufflenetv2:<width>}.
 */
final class ReferenceComparison {

    /** The models compared: V1 g=3 1.0x, V2 1.0x and V2 0.25x. */
    static final List<ShuffleNetConfig> MODELS = List.of(ShuffleNetConfig.v1(3, 1.0, 600),
            ShuffleNetConfig.v2(1.0, 600), ShuffleNetConfig.v2(0.25, 600));
    /** Eval batch sizes; the training step runs at the last. */
    static final List<Integer> BATCHES = List.of(1, 8);

    /** One result line: what was measured, for which model and batch, and the values (ms, or MB for memory). */
    record Result(String kind, String model, int batch, List<Double> values) {

        static Result parse(String line) {
            String[] f = line.split("\t");
            try {
                if ((f[0].equals("eval") || f[0].equals("train")) && f.length == 4) {
                    return new Result(f[0], f[1], Integer.parseInt(f[2]), List.of(Double.parseDouble(f[3])));
                }
                if (f[0].equals("memory") && f.length >= 3) {
                    List<Double> megabytes = new ArrayList<>();
                    for (int i = 2; i < f.length; i++) {
                        megabytes.add(Double.parseDouble(f[i]));
                    }
                    return new Result(f[0], f[1], 0, megabytes);
                }
            } catch (NumberFormatException e) {
                // reported below with the expected form
            }
            throw new IllegalArgumentException("unreadable benchmark line '" + line + "': expected 'eval|train <model>"
                    + " <batch> <ms>' or 'memory <model> <MB>...', tab-separated");
        }

        String format() {
            StringBuilder line = new StringBuilder(kind).append('\t').append(model);
            if (!kind.equals("memory")) {
                line.append('\t').append(batch);
            }
            for (double v : values) {
                line.append('\t').append(String.format(Locale.ROOT, "%.3f", v));
            }
            return line.toString();
        }
    }

    private ReferenceComparison() {
    }

    /** The model's key in result lines. */
    static String key(ShuffleNetConfig config) {
        String width = String.valueOf(config.widthMultiplier());
        return config.architecture() == Architecture.SHUFFLENET
                ? "shufflenet:" + config.groups() + ":" + width
                : "shufflenetv2:" + width;
    }

    /** How the table names a model: "V1 g=3 1.0x", "V2 0.25x". */
    static String label(String key) {
        String[] parts = key.split(":");
        return parts[0].equals("shufflenet") ? "V1 g=" + parts[1] + " " + parts[2] + "x" : "V2 " + parts[1] + "x";
    }

    /**
     * Runs {@code command} with {@code OMP_NUM_THREADS} set to {@code threads}, passing its standard error through,
     * and reads its result lines.
     */
    static List<Result> run(List<String> command, int threads) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
        Process process = builder.start();
        List<Result> results = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (!line.isBlank()) {
                    results.add(Result.parse(line));
                }
            }
        }
        int status = process.waitFor();
        if (status != 0) {
            throw new IllegalStateException("benchmark process exited with status " + status + ": "
                    + String.join(" ", command));
        }
        return results;
    }

    /** This JVM's command line for {@code benchmark --tsv} of one model: the same java, options and classpath. */
    static List<String> javaCommand(ShuffleNetConfig config, List<String> benchmarkOptions) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin",
                "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ShuffleNet3dCommand.class.getName(),
                "benchmark", "--tsv", "--arch", config.architecture().referenceName(),
                "--width", String.valueOf(config.widthMultiplier()), "--classes", String.valueOf(config.numClasses())));
        if (config.architecture() == Architecture.SHUFFLENET) {
            command.addAll(List.of("--groups", String.valueOf(config.groups())));
        }
        command.addAll(benchmarkOptions);
        return command;
    }

    /** Whether {@code python} runs and imports torch. */
    static Optional<String> torchVersion(Path python) {
        if (!Files.isExecutable(python)) {
            return Optional.empty();
        }
        try {
            Process process = new ProcessBuilder(python.toString(), "-c", "import torch; print(torch.__version__)")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return process.waitFor() == 0 ? Optional.of(version) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The table: per model and batch, eval ms and clips/s of both and PyTorch's time over Java's (above 1: Java is
     * faster); then the training step; then peak memory. Missing PyTorch figures print as "-".
     */
    static String table(List<Result> java, List<Result> torch) {
        Map<String, Result> j = byKey(java);
        Map<String, Result> t = byKey(torch);
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-14s %5s %9s %9s %11s %12s %9s%n", "eval", "batch", "Java ms",
                "Java c/s", "PyTorch ms", "PyTorch c/s", "ratio"));
        for (Result r : java) {
            if (r.kind().equals("eval")) {
                Result other = t.get(resultKey(r));
                double ms = r.values().get(0);
                out.append(String.format(Locale.ROOT, "%-14s %5d %9.1f %9.2f %11s %12s %9s%n", label(r.model()),
                        r.batch(), ms, r.batch() * 1000 / ms, other == null ? "-" : fixed(other.values().get(0), 1),
                        other == null ? "-" : fixed(r.batch() * 1000 / other.values().get(0), 2),
                        other == null ? "-" : fixed(other.values().get(0) / ms, 2)));
            }
        }
        out.append(String.format(Locale.ROOT, "%-14s %5s %9s %9s %11s %12s %9s%n", "training step", "batch",
                "Java ms", "", "PyTorch ms", "", "ratio"));
        for (Result r : java) {
            if (r.kind().equals("train")) {
                Result other = t.get(resultKey(r));
                double ms = r.values().get(0);
                out.append(String.format(Locale.ROOT, "%-14s %5d %9.1f %9s %11s %12s %9s%n", label(r.model()),
                        r.batch(), ms, "", other == null ? "-" : fixed(other.values().get(0), 1), "",
                        other == null ? "-" : fixed(other.values().get(0) / ms, 2)));
            }
        }
        out.append(String.format(Locale.ROOT, "%-14s %15s %15s %15s %9s%n", "peak memory", "Java RSS MB",
                "Java heap MB", "PyTorch RSS MB", "ratio"));
        for (Result r : java) {
            if (r.kind().equals("memory")) {
                Result other = t.get(resultKey(r));
                double resident = r.values().get(0);
                out.append(String.format(Locale.ROOT, "%-14s %15.0f %15.0f %15s %9s%n", label(r.model()), resident,
                        r.values().get(1), other == null ? "-" : fixed(other.values().get(0), 0),
                        other == null ? "-" : fixed(resident / other.values().get(0), 2)));
            }
        }
        out.append("time ratio: PyTorch's time over Java's (Java clips/s over PyTorch's); above 1, Java is faster\n");
        out.append("memory ratio: Java's peak resident memory over PyTorch's\n");
        return out.toString();
    }

    private static Map<String, Result> byKey(List<Result> results) {
        Map<String, Result> out = new LinkedHashMap<>();
        for (Result r : results) {
            out.put(resultKey(r), r);
        }
        return out;
    }

    private static String resultKey(Result r) {
        return r.kind() + " " + r.model() + " " + r.batch();
    }

    private static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
