package org.shufflenet3d.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.shufflenet3d.video.InvalidVideoException;
import org.shufflenet3d.video.VideoReader;

/**
 * The videos a command is given (a video file, a frame folder, or every video under a folder) and the loop over
 * them that {@code predict} and {@code embed} share: a video that cannot be read is skipped with a message when
 * there are several, and is the command's error when it is the only one.
 */
final class VideoInputs {

    /** What became of one video: its result, or why it has none. */
    record Outcome<R>(Path video, R result, String error) {
    }

    private VideoInputs() {
    }

    /** The videos {@code input} names, in the order they are processed. */
    static List<Path> of(Path input) throws IOException {
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
                    + VideoReader.VIDEO_EXTENSION_LIST
                    + ") or frame folders in it or below it");
        }
        return videos;
    }

    /** Takes each video's outcome as it comes. */
    @FunctionalInterface
    interface Sink<R> {
        void accept(Outcome<R> outcome) throws IOException;
    }

    /**
     * Applies {@code task} to each video in turn and hands each outcome to {@code sink} as soon as it is known; a
     * video whose task fails is skipped with a message when there are several, and its failure is thrown when it is
     * the only one (before {@code sink} hears of it). {@code activity} says what is being done to a video, for the
     * message when memory runs out. Progress over several videos is drawn on {@code progress}, cleared before
     * {@code sink} hears of a video (so that it can print) and before messages on {@code err}. Returns the number
     * of videos skipped.
     */
    static <R> int forEach(List<Path> videos, Function<Path, String> activity, Function<Path, R> task, Sink<R> sink,
            ProgressBar progress, PrintWriter err) throws IOException {
        int failed = 0;
        for (int i = 0; i < videos.size(); i++) {
            Path video = videos.get(i);
            ShuffleNet3dCommand.doing(activity.apply(video));
            Outcome<R> outcome;
            try {
                outcome = new Outcome<>(video, task.apply(video), null);
            } catch (RuntimeException e) {
                if (videos.size() == 1) {
                    throw e;
                }
                outcome = new Outcome<>(video, null, ShuffleNet3dCommand.describe(e));
                failed++;
                progress.clear();
                err.println("shufflenet3d: skipped: " + outcome.error());
            }
            progress.clear();
            sink.accept(outcome);
            if (videos.size() > 1) {
                progress.onVideos(i + 1, videos.size());
            }
        }
        progress.clear();
        if (failed > 0) {
            err.println("shufflenet3d: " + failed + " of " + videos.size() + " videos could not be read");
        }
        return failed;
    }

    /** {@code value} as one CSV field, quoted when it holds a comma, quote or line break. */
    static String csv(String value) {
        return value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")
                ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    /** The output format {@code file}'s name asks for, one of {@code formats} (its extensions, without the dot). */
    static String format(Path file, List<String> formats) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String format : formats) {
            if (name.endsWith("." + format)) {
                return format;
            }
        }
        List<String> endings = formats.stream().map(format -> "." + format).toList();
        throw new IllegalArgumentException("cannot tell the format of --output " + file + ": expected a name ending"
                + " in " + String.join(", ", endings.subList(0, endings.size() - 1)) + " or "
                + endings.get(endings.size() - 1));
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
}
