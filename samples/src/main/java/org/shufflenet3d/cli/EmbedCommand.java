package org.shufflenet3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
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
            description = "A video file (mp4, avi, webm, mkv, mov, m4v), a frame folder, or a folder searched for"
                    + " videos (depth first, by name: the order of the rows).")
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
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        AtomicFiles.requireWritable(output);
        List<Path> videos = VideoInputs.of(input);
        if (format.equals("npy")) {
            AtomicFiles.requireWritable(idsFile());
            for (Path video : videos) {
                if (video.toString().contains("\n") || video.toString().contains("\r")) {
                    throw new IllegalArgumentException(video + ": a path with a line break cannot be one line of "
                            + idsFile() + "; expected --output FILE.csv or FILE.json for it");
                }
            }
        }
        ShuffleNet3dCommand.doing("loading the model from " + weights.file);
        ShuffleNet3d model = network.load(weights.file, clip.clip());
        VideoEmbedder embedder = new VideoEmbedder(model, video.clips(clip.clip()), batch, l2);
        int dimension = embedder.dimension();
        Function<Path, String> activity = path -> "embedding " + path + " in batches of " + batch + " clips of 3x"
                + clip.clip();
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar progress = new ProgressBar(err, spec.commandLine().getOut());
        int[] failed = new int[1];
        switch (format) {
            case "npy" -> AtomicFiles.writeFile(output, npy -> ResultFiles.writeText(idsFile(), ids -> {
                try (NumpyFiles.RowWriter rows = new NumpyFiles.RowWriter(npy, dimension)) {
                    failed[0] = VideoInputs.forEach(videos, activity, embedder::embed, outcome -> {
                        if (outcome.result() != null) {
                            rows.append(outcome.result().vector());
                            ids.write(outcome.video() + "\n");
                        }
                    }, progress, err);
                }
            }));
            case "csv" -> ResultFiles.writeText(output, writer -> {
                StringBuilder header = new StringBuilder("video,clips");
                for (int f = 0; f < dimension; f++) {
                    header.append(",f").append(f);
                }
                writer.write(header.append(",error\n").toString());
                failed[0] = VideoInputs.forEach(videos, activity, embedder::embed,
                        outcome -> writer.write(csvRow(outcome, dimension)), progress, err);
            });
            default -> ResultFiles.writeJson(output, (Embedding embedding, Map<String, Object> row) -> {
                row.put("clips", embedding.clips());
                row.put("embedding", embedding.vector());
            }, json -> failed[0] = VideoInputs.forEach(videos, activity, embedder::embed, json::write, progress, err));
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "wrote the embeddings (%d values each) of %d of %d videos to %s%s%n", dimension,
                videos.size() - failed[0], videos.size(), output, format.equals("npy") ? " and " + idsFile() : "");
        out.flush();
        return failed[0] > 0 ? 1 : 0;
    }

    /** The paths of the .npy output's rows: FILE.npy's FILE.ids.txt. */
    private Path idsFile() {
        String name = output.getFileName().toString();
        return output.resolveSibling(name.substring(0, name.length() - ".npy".length()) + ".ids.txt");
    }

    /** A video's CSV row: path, clips, the embedding's values and an empty error, or the path and its error. */
    private static String csvRow(Outcome<Embedding> outcome, int dimension) {
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
        return row.append('\n').toString();
    }
}
