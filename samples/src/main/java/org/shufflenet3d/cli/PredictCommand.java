package org.shufflenet3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.cli.VideoInputs.Outcome;
import org.shufflenet3d.cli.VideoInputs.Sink;
import org.shufflenet3d.data.VideoIndex;
import org.shufflenet3d.io.AtomicFiles;
import org.shufflenet3d.video.VideoClassifier;
import org.shufflenet3d.video.VideoClassifier.Prediction;
import org.shufflenet3d.video.VideoClips;
import picocli.CommandLine.ArgGroup;
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
            description = "A video file (mp4, avi, webm, mkv, mov, m4v), a frame folder, or a folder searched for"
                    + " videos.")
    Path input;

    @ArgGroup(exclusive = false, multiplicity = "1")
    WeightsOption weights;

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

    @Override
    public Integer call() throws IOException {
        if (top < 1) {
            throw new IllegalArgumentException("--top must be at least 1, got " + top);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        String format = output == null ? null : VideoInputs.format(output, List.of("csv", "json"));
        if (output != null) {
            AtomicFiles.requireWritable(output);
        }
        List<String> names = labels == null ? null : VideoIndex.readClassIndex(labels);
        VideoClips clips = video.clips(clip.clip());
        List<Path> videos = VideoInputs.of(input);
        ShuffleNet3dCommand.doing("loading the model from " + weights.file);
        ShuffleNet3d model = network.load(weights.file, clip.clip());
        int classes = model.config().numClasses();
        if (names == null) {
            names = VideoClassifier.numberedClasses(classes);
        } else if (names.size() != classes) {
            throw new IllegalArgumentException(labels + " names " + names.size() + " classes but the model has "
                    + classes);
        }
        VideoClassifier classifier = new VideoClassifier(model, clips, names, batch);
        PrintWriter out = spec.commandLine().getOut();
        Function<Path, String> activity = path -> "classifying " + path + " in batches of " + batch + " clips of 3x"
                + clip.clip();
        Sink<Prediction> print = outcome -> {
            if (outcome.result() != null) {
                out.println(describe(outcome.result()));
                out.flush();
            }
        };
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar progress = new ProgressBar(err, spec.commandLine().getOut());
        int[] failed = new int[1];
        if (output == null) {
            failed[0] = VideoInputs.forEach(videos, activity, classifier::classify, print, progress, err);
        } else if (format.equals("csv")) {
            ResultFiles.writeText(output, writer -> {
                writer.write("video,clips,rank,label,class,probability,error\n");
                failed[0] = VideoInputs.forEach(videos, activity, classifier::classify, outcome -> {
                    print.accept(outcome);
                    writer.write(csvRows(outcome));
                }, progress, err);
            });
        } else {
            ResultFiles.writeJson(output, this::jsonEntries, json -> failed[0] = VideoInputs.forEach(videos, activity,
                    classifier::classify, outcome -> {
                        print.accept(outcome);
                        json.write(outcome);
                    }, progress, err));
        }
        if (output != null) {
            out.println("wrote " + output);
            out.flush();
        }
        return failed[0] > 0 ? 1 : 0;
    }

    private String describe(Prediction prediction) {
        StringBuilder line = new StringBuilder(prediction.video().toString()).append(" (")
                .append(prediction.clips()).append(prediction.clips() == 1 ? " clip)" : " clips)");
        for (VideoClassifier.Ranked ranked : prediction.top(top)) {
            line.append(String.format(Locale.ROOT, "  %s %.4f", ranked.name(), ranked.probability()));
        }
        return line.toString();
    }

    /** A video's CSV rows: one per rank, or one with its error. */
    private String csvRows(Outcome<Prediction> outcome) {
        String video = VideoInputs.csv(outcome.video().toString());
        if (outcome.result() == null) {
            return video + ",,,,,," + VideoInputs.csv(outcome.error()) + "\n";
        }
        StringBuilder rows = new StringBuilder();
        int rank = 1;
        for (VideoClassifier.Ranked ranked : outcome.result().top(top)) {
            rows.append(String.format(Locale.ROOT, "%s,%d,%d,%d,%s,%.6f,%n", video, outcome.result().clips(), rank++,
                    ranked.label(), VideoInputs.csv(ranked.name()), ranked.probability()));
        }
        return rows.toString();
    }

    private void jsonEntries(Prediction prediction, Map<String, Object> row) {
        row.put("clips", prediction.clips());
        row.put("top", prediction.top(top).stream().map(ranked -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("label", ranked.label());
            entry.put("class", ranked.name());
            entry.put("probability", ranked.probability());
            return entry;
        }).toList());
    }
}
