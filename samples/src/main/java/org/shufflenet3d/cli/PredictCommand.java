package org.shufflenet3d.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.data.VideoIndex;
import org.shufflenet3d.io.AtomicFiles;
import org.shufflenet3d.video.InvalidVideoException;
import org.shufflenet3d.video.VideoClassifier;
import org.shufflenet3d.video.VideoClips;
import org.shufflenet3d.video.VideoReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Top-k labels of a video, or of every video under a folder, with their probabilities averaged"
                + " over each video's consecutive clips, as the reference's test scores them.")
final class PredictCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "VIDEO|FOLDER",
            description = "A video file (mp4, avi, webm, mkv), a frame folder, or a folder searched for videos.")
    Path input;

    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "The model: a checkpoint (.pth), .npz state_dict or saved model (.sd).")
    Path weights;

    @Option(names = "--labels", paramLabel = "FILE",
            description = "Class names in label order: classInd.txt lines '1 name', or one name a line (default: the"
                    + " label numbers).")
    Path labels;

    @Option(names = "--top", paramLabel = "K", defaultValue = "5", description = "Labels shown per video (default 5).")
    int top;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Also write the predictions to FILE: .csv (one row per video and rank; a video that could"
                    + " not be classified gets one row with the error) or .json. Written even when some fail.")
    Path output;

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

    /** A video's prediction, or why it has none. */
    private record Result(Path video, VideoClassifier.Prediction prediction, String error) {
    }

    @Override
    public Integer call() throws IOException {
        if (top < 1) {
            throw new IllegalArgumentException("--top must be at least 1, got " + top);
        }
        String format = output == null ? null : outputFormat(output);
        if (output != null) {
            AtomicFiles.requireWritable(output);
        }
        List<String> names = labels == null ? null : VideoIndex.readClassIndex(labels);
        VideoClips clips = video.clips(clip.clip());
        List<Path> videos = videosOf(input);
        ShuffleNet3dCommand.doing("loading the model from " + weights);
        ShuffleNet3d model = network.load(weights, clip.clip());
        int classes = model.config().numClasses();
        if (names == null) {
            names = VideoClassifier.numberedClasses(classes);
        } else if (names.size() != classes) {
            throw new IllegalArgumentException(labels + " names " + names.size() + " classes but the model has "
                    + classes);
        }
        VideoClassifier classifier = new VideoClassifier(model, clips, names, batch);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Result> results = new ArrayList<>();
        int failed = 0;
        try {
            for (int i = 0; i < videos.size(); i++) {
                Path path = videos.get(i);
                ShuffleNet3dCommand.doing("classifying " + path + " in batches of " + batch + " clips of 3x"
                        + clip.clip());
                try {
                    VideoClassifier.Prediction prediction = classifier.classify(path);
                    results.add(new Result(path, prediction, null));
                    out.println(describe(prediction));
                } catch (RuntimeException e) {
                    results.add(new Result(path, null, ShuffleNet3dCommand.describe(e)));
                    if (videos.size() == 1) {
                        throw e;
                    }
                    failed++;
                    err.println("shufflenet3d: skipped: " + ShuffleNet3dCommand.describe(e));
                }
                out.flush();
                if (videos.size() > 1) {
                    err.printf(Locale.ROOT, "\r%d/%d videos", i + 1, videos.size());
                    err.flush();
                }
            }
            if (videos.size() > 1) {
                err.println();
            }
        } finally {
            if (output != null && !results.isEmpty()) {
                write(results, format);
                out.println("wrote " + output);
                out.flush();
            }
        }
        if (failed > 0) {
            err.println("shufflenet3d: " + failed + " of " + videos.size() + " videos could not be read");
            return 1;
        }
        return 0;
    }

    private String describe(VideoClassifier.Prediction prediction) {
        StringBuilder line = new StringBuilder(prediction.video().toString()).append(" (")
                .append(prediction.clips()).append(prediction.clips() == 1 ? " clip)" : " clips)");
        for (VideoClassifier.Ranked ranked : prediction.top(top)) {
            line.append(String.format(Locale.ROOT, "  %s %.4f", ranked.name(), ranked.probability()));
        }
        return line.toString();
    }

    private static List<Path> videosOf(Path input) throws IOException {
        if (!Files.exists(input)) {
            throw new InvalidVideoException(input + " does not exist; expected a video file, a frame folder or a"
                    + " folder of videos");
        }
        if (VideoReader.isVideo(input) || !Files.isDirectory(input)) {
            return List.of(input);
        }
        List<Path> videos = new ArrayList<>();
        collect(input, videos, new HashSet<>(), new HashSet<>());
        if (videos.isEmpty()) {
            throw new InvalidVideoException(input + " holds no videos; expected video files ("
                    + String.join(", ", VideoReader.VIDEO_EXTENSIONS.stream().sorted().toList())
                    + ") or frame folders in it or below it");
        }
        return videos;
    }

    /**
     * The videos under {@code folder}, depth first by name. Symbolic links are followed, but a folder or video
     * reached again (a link to an ancestor, a loop of links, two links to one place) is taken once.
     */
    private static void collect(Path folder, List<Path> videos, Set<Path> foldersSeen, Set<Path> videosSeen)
            throws IOException {
        if (!foldersSeen.add(folder.toRealPath())) {
            return;
        }
        List<Path> entries;
        try (Stream<Path> listing = Files.list(folder)) {
            entries = listing.sorted().toList();
        }
        for (Path entry : entries) {
            if (VideoReader.isVideo(entry)) {
                if (videosSeen.add(entry.toRealPath())) {
                    videos.add(entry);
                }
            } else if (Files.isDirectory(entry)) {
                collect(entry, videos, foldersSeen, videosSeen);
            }
        }
    }

    private static String outputFormat(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return "csv";
        }
        if (name.endsWith(".json")) {
            return "json";
        }
        throw new IllegalArgumentException("cannot tell the format of --output " + file + ": expected a name ending"
                + " in .csv or .json");
    }

    /** The results as CSV (one row per video and rank; a failed video has one row with its error) or JSON. */
    private void write(List<Result> results, String format) throws IOException {
        if (format.equals("csv")) {
            AtomicFiles.write(output, stream -> {
                Writer writer = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
                writer.write("video,clips,rank,label,class,probability,error\n");
                for (Result result : results) {
                    String video = csv(result.video().toString());
                    if (result.prediction() == null) {
                        writer.write(video + ",,,,,," + csv(result.error()) + "\n");
                        continue;
                    }
                    int rank = 1;
                    for (VideoClassifier.Ranked ranked : result.prediction().top(top)) {
                        writer.write(String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%.6f,%n", video,
                                result.prediction().clips(), rank++, ranked.label(), csv(ranked.name()),
                                ranked.probability()));
                    }
                }
                writer.flush();
            });
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Result result : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("video", result.video().toString());
            if (result.prediction() == null) {
                row.put("error", result.error());
            } else {
                row.put("clips", result.prediction().clips());
                row.put("top", result.prediction().top(top).stream().map(ranked -> {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("label", ranked.label());
                    entry.put("class", ranked.name());
                    entry.put("probability", ranked.probability());
                    return entry;
                }).toList());
            }
            rows.add(row);
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFiles.write(output, stream -> stream.write(json.writeValueAsBytes(rows)));
    }

    private static String csv(String value) {
        return value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")
                ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }
}
