package org.shufflenet3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.cli.VideoInputs.Outcome;
import org.shufflenet3d.io.AtomicFiles;
import org.shufflenet3d.io.NumpyFiles;
import org.shufflenet3d.video.VideoEmbedder;
import org.shufflenet3d.video.VideoEmbedder.Embedding;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "One embedding per video: the network's pooled features (what enters the classifier) averaged"
                + " over the video's consecutive clips, for search, deduplication or a classifier of your own.")
final class EmbedCommand implements Callable<Integer> {

    private static final List<String> FORMATS = List.of("npy", "csv", "json");

    @Parameters(index = "0", paramLabel = "VIDEO|FOLDER",
            description = "A video file (mp4, avi, webm, mkv), a frame folder, or a folder searched for videos"
                    + " (depth first, by name: the order of the rows).")
    Path input;

    @ArgGroup(exclusive = false, multiplicity = "1")
    WeightsOption weights;

    @Option(names = "--output", required = true, paramLabel = "FILE",
            description = "FILE.npy: float32 [videos, features], with the videos' paths one a line in FILE.ids.txt;"
                    + " FILE.csv: video, clips, f0 ... and error columns; FILE.json: a list of {video, clips,"
                    + " embedding} or {video, error}. Videos that could not be read are left out of .npy and listed"
                    + " with their error in CSV and JSON.")
    Path output;

    @Option(names = "--l2", description = "Scale each video's embedding to unit length (for cosine similarity).")
    boolean l2;

    @Option(names = "--batch", defaultValue = "8", description = "Clips per forward pass (default 8).")
    int batch;

    @Mixin
    NetworkOptions network;

    @Mixin
    ClipOptions clip;

    @Mixin
    VideoOptions video;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        String format = VideoInputs.format(output, FORMATS);
        AtomicFiles.requireWritable(output);
        if (format.equals("npy")) {
            AtomicFiles.requireWritable(idsFile());
        }
        List<Path> videos = VideoInputs.of(input);
        ShuffleNet3dCommand.doing("loading the model from " + weights.file);
        ShuffleNet3d model = network.load(weights.file, clip.clip());
        VideoEmbedder embedder = new VideoEmbedder(model, video.clips(clip.clip()), batch, l2);
        PrintWriter out = spec.commandLine().getOut();
        List<Outcome<Embedding>> outcomes = new ArrayList<>();
        int failed;
        try {
            failed = VideoInputs.forEach(videos,
                    path -> "embedding " + path + " in batches of " + batch + " clips of 3x" + clip.clip(),
                    embedder::embed, embedding -> { }, outcomes, spec.commandLine().getErr());
        } finally {
            if (!outcomes.isEmpty()) {
                write(outcomes, format, embedder.dimension());
            }
        }
        long embedded = outcomes.stream().filter(outcome -> outcome.result() != null).count();
        out.printf(Locale.ROOT, "wrote %d embeddings of %d values to %s%s%n", embedded, embedder.dimension(), output,
                format.equals("npy") ? " and " + idsFile() : "");
        out.flush();
        return failed > 0 ? 1 : 0;
    }

    /** The paths of the .npy output's rows: FILE.npy's FILE.ids.txt. */
    private Path idsFile() {
        String name = output.getFileName().toString();
        return output.resolveSibling(name.substring(0, name.length() - ".npy".length()) + ".ids.txt");
    }

    private void write(List<Outcome<Embedding>> outcomes, String format, int dimension) throws IOException {
        List<Embedding> embeddings = outcomes.stream().map(Outcome::result).filter(Objects::nonNull).toList();
        switch (format) {
            case "npy" -> {
                float[][] rows = embeddings.stream().map(Embedding::vector).toArray(float[][]::new);
                ResultFiles.writeText(idsFile(), writer -> {
                    for (Embedding embedding : embeddings) {
                        writer.write(embedding.video() + "\n");
                    }
                });
                NumpyFiles.writeNpy(output,
                        rows.length == 0 ? Nd4j.create(DataType.FLOAT, 0, dimension) : Nd4j.create(rows));
            }
            case "csv" -> ResultFiles.writeText(output, writer -> {
                StringBuilder header = new StringBuilder("video,clips");
                for (int f = 0; f < dimension; f++) {
                    header.append(",f").append(f);
                }
                writer.write(header.append(",error\n").toString());
                for (Outcome<Embedding> outcome : outcomes) {
                    StringBuilder row = new StringBuilder(VideoInputs.csv(outcome.video().toString()));
                    if (outcome.result() == null) {
                        row.append(",".repeat(dimension + 2)).append(VideoInputs.csv(outcome.error()));
                    } else {
                        row.append(',').append(outcome.result().clips());
                        for (float value : outcome.result().vector()) {
                            row.append(',').append(value);
                        }
                        row.append(',');
                    }
                    writer.write(row.append('\n').toString());
                }
            });
            default -> ResultFiles.writeJson(output, outcomes, (embedding, row) -> {
                row.put("clips", embedding.clips());
                row.put("embedding", embedding.vector());
            });
        }
    }
}
