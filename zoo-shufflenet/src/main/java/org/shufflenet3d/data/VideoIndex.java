package org.shufflenet3d.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.shufflenet3d.video.VideoReader;
import org.shufflenet3d.video.VideoSupport;

/**
 * The labelled videos of a dataset and its class names, read from one of the layouts the reference's users have:
 * <ul>
 * <li>{@link #classFolders}: one folder per class, each holding video files or frame folders;
 * <li>{@link #activityNet}: the ActivityNet-style JSON the reference's utilities write for UCF-101, Jester and
 * Kinetics ({@code {"labels": [...], "database": {"<video>": {"subset": "training", "annotations": {"label":
 * "<class>"}}}}}), its videos at {@code root/<class>/<video>} (UCF-101, Kinetics) or {@code root/<video>} (Jester),
 * each a frame folder or a video file of that name with a video extension.
 * </ul>
 * Class-index files ({@link #readClassIndex}) are UCF-101's {@code classInd.txt} form, one {@code "<number>
 * <name>"} a line numbered from 1, or one name a line.
 */
public record VideoIndex(List<String> classNames, List<Video> videos) {

    /** One video of the dataset: its name (unique in the dataset), where it is, and its class. */
    public record Video(String name, Path path, int label) {
    }

    /** The subsets of the reference's annotation files. */
    public static final List<String> SUBSETS = List.of("training", "validation", "testing");

    public VideoIndex {
        classNames = List.copyOf(classNames);
        videos = List.copyOf(videos);
        for (Video video : videos) {
            if (video.label() < 0 || video.label() >= classNames.size()) {
                throw new IllegalArgumentException("video " + video.name() + " has label " + video.label()
                        + " but there are " + classNames.size() + " classes");
            }
        }
    }

    /**
     * The videos under {@code root}, one sub-folder a class; classes in {@code classIndex}'s order when given (every
     * class folder must be listed in it), otherwise sorted by name.
     */
    public static VideoIndex classFolders(Path root, Path classIndex) {
        VideoSupport.require();
        requireDirectory(root, "a dataset folder with one sub-folder per class");
        List<Path> classFolders = list(root).stream().filter(Files::isDirectory).toList();
        List<String> names = classIndex != null ? readClassIndex(classIndex)
                : classFolders.stream().map(folder -> folder.getFileName().toString()).sorted().toList();
        Map<String, Integer> labels = labelsOf(names);
        List<Video> videos = new ArrayList<>();
        for (Path folder : classFolders) {
            String className = folder.getFileName().toString();
            Integer label = labels.get(className);
            if (label == null) {
                throw new InvalidDatasetException("class folder " + folder + " is not listed in " + classIndex
                        + "; expected every class folder's name among its " + names.size() + " classes");
            }
            list(folder).stream().filter(VideoReader::isVideo)
                    .forEach(video -> videos.add(new Video(className + "/" + video.getFileName(), video, label)));
        }
        if (videos.isEmpty()) {
            throw new InvalidDatasetException(root + " holds no videos; expected " + root
                    + "/<class>/<video file (mp4, avi, webm, mkv) or frame folder>");
        }
        return new VideoIndex(names, videos);
    }

    /** The labelled videos of {@code subset} ("training" or "validation") of an annotation file, found under root. */
    public static VideoIndex activityNet(Path annotations, Path root, String subset) {
        VideoSupport.require();
        if (!SUBSETS.contains(subset)) {
            throw new IllegalArgumentException("unknown subset '" + subset + "'; expected one of " + SUBSETS);
        }
        requireDirectory(root, "the folder holding the annotated videos");
        JsonNode json = readJson(annotations);
        JsonNode labelsNode = json.get("labels");
        JsonNode database = json.get("database");
        if (labelsNode == null || !labelsNode.isArray() || database == null || !database.isObject()) {
            throw new InvalidDatasetException(annotations + " is not an ActivityNet-style annotation file; expected"
                    + " {\"labels\": [...], \"database\": {\"<video>\": {\"subset\": ..., \"annotations\":"
                    + " {\"label\": ...}}}}");
        }
        List<String> names = new ArrayList<>();
        labelsNode.forEach(label -> names.add(label.asText()));
        Map<String, Integer> labels = labelsOf(names);
        List<Video> videos = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = database.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (!subset.equals(entry.getValue().path("subset").asText())) {
                continue;
            }
            String className = entry.getValue().path("annotations").path("label").asText(null);
            if (className == null) {
                throw new InvalidDatasetException("video " + entry.getKey() + " of " + annotations + " has no"
                        + " annotations.label; expected labelled videos in subset " + subset);
            }
            Integer label = labels.get(className);
            if (label == null) {
                throw new InvalidDatasetException("video " + entry.getKey() + " of " + annotations + " has label '"
                        + className + "', which is not among its " + names.size() + " labels");
            }
            videos.add(new Video(entry.getKey(), locate(root, className, entry.getKey()), label));
        }
        if (videos.isEmpty()) {
            throw new InvalidDatasetException(annotations + " lists no videos in subset '" + subset + "'");
        }
        return new VideoIndex(names, videos);
    }

    /** The class names of a class-index file, in label order. */
    public static List<String> readClassIndex(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(line -> !line.isEmpty()).toList();
        } catch (IOException e) {
            throw new InvalidDatasetException("cannot read class index " + file + ": " + e.getMessage());
        }
        if (lines.isEmpty()) {
            throw new InvalidDatasetException(file + " lists no classes; expected lines '1 <name>', '2 <name>', ..."
                    + " or one class name a line");
        }
        boolean numbered = lines.stream().allMatch(line -> line.matches("\\d+\\s+\\S.*"));
        if (!numbered) {
            labelsOf(lines);
            return lines;
        }
        List<String> names = new ArrayList<>();
        for (String line : lines) {
            String[] parts = line.split("\\s+", 2);
            if (Integer.parseInt(parts[0]) != names.size() + 1) {
                throw new InvalidDatasetException(file + ": line '" + line + "' should be numbered "
                        + (names.size() + 1) + "; expected classes numbered 1, 2, ... in order");
            }
            names.add(parts[1].strip());
        }
        labelsOf(names);
        return names;
    }

    /** The classes' videos, counted by label. */
    public int[] videosPerClass() {
        int[] counts = new int[classNames.size()];
        videos.forEach(video -> counts[video.label()]++);
        return counts;
    }

    private static Path locate(Path root, String className, String key) {
        for (Path folder : List.of(root.resolve(className), root)) {
            Path direct = folder.resolve(key);
            if (Files.exists(direct)) {
                return direct;
            }
            for (String extension : VideoReader.VIDEO_EXTENSIONS.stream().sorted().toList()) {
                Path file = folder.resolve(key + "." + extension);
                if (Files.isRegularFile(file)) {
                    return file;
                }
            }
        }
        throw new InvalidDatasetException("video " + key + " is not under " + root + "; expected " + root + "/"
                + className + "/" + key + " or " + root + "/" + key + " (a frame folder, or a video file with a"
                + " video extension)");
    }

    private static Map<String, Integer> labelsOf(List<String> names) {
        Map<String, Integer> labels = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            if (labels.put(names.get(i), i) != null) {
                throw new InvalidDatasetException("class '" + names.get(i) + "' is listed twice");
            }
        }
        return labels;
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidDatasetException("annotation file " + file + " does not exist");
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidDatasetException(file + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + "); expected an ActivityNet-style annotation file");
        }
    }

    private static void requireDirectory(Path folder, String expected) {
        if (!Files.isDirectory(folder)) {
            throw new InvalidDatasetException(folder + (Files.exists(folder) ? " is not a folder" : " does not exist")
                    + "; expected " + expected);
        }
    }

    private static List<Path> list(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.sorted(Comparator.comparing(path -> path.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new InvalidDatasetException("cannot list " + folder + ": " + e.getMessage());
        }
    }
}
