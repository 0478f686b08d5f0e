package org.shufflenet3d.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
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

    private static final long MAX_CLASS_INDEX_BYTES = 16L << 20;

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
                    + "/<class>/<video file (" + VideoReader.VIDEO_EXTENSION_LIST + ") or frame folder>");
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
        for (JsonNode label : labelsNode) {
            if (!label.isTextual()) {
                throw new InvalidDatasetException(annotations + ": label " + label + " is not a name; expected"
                        + " \"labels\": [\"<class>\", ...]");
            }
            names.add(label.asText());
        }
        Map<String, Integer> labels = labelsOf(names);
        List<Video> videos = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = database.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            JsonNode subsetNode = entry.getValue().path("subset");
            if (!entry.getValue().isObject() || !subsetNode.isTextual()) {
                throw new InvalidDatasetException("video " + entry.getKey() + " of " + annotations + " is "
                        + abbreviate(entry.getValue().toString()) + "; expected {\"subset\": \"training\","
                        + " \"annotations\": {\"label\": \"<class>\"}}");
            }
            if (!subset.equals(subsetNode.asText())) {
                continue;
            }
            JsonNode labelNode = entry.getValue().path("annotations").path("label");
            if (!labelNode.isTextual()) {
                throw new InvalidDatasetException("video " + entry.getKey() + " of " + annotations + " has no"
                        + " annotations.label; expected labelled videos in subset " + subset);
            }
            String className = labelNode.asText();
            Integer label = labels.get(className);
            if (label == null) {
                throw new InvalidDatasetException("video " + entry.getKey() + " of " + annotations + " has label '"
                        + className + "', which is not among its " + names.size() + " labels");
            }
            requireRelativeName(entry.getKey(), "video", annotations);
            requireRelativeName(className, "class", annotations);
            videos.add(new Video(entry.getKey(), locate(root, className, entry.getKey()), label));
        }
        if (videos.isEmpty()) {
            throw new InvalidDatasetException(annotations + " lists no videos in subset '" + subset + "'");
        }
        return new VideoIndex(names, videos);
    }

    /**
     * The class names of a class-index file, in label order: a UTF-8 text file (a byte-order mark is skipped) of
     * lines {@code "<number> <name>"} numbered from 1, or of one name a line.
     */
    public static List<String> readClassIndex(Path file) {
        List<String> lines = readLines(file).stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
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
            String expected = String.valueOf(names.size() + 1);
            if (!parts[0].replaceFirst("^0+(?=\\d)", "").equals(expected)) {
                throw new InvalidDatasetException(file + ": line '" + abbreviate(line) + "' should be numbered "
                        + expected + "; expected classes numbered 1, 2, ... in order");
            }
            names.add(parts[1].strip());
        }
        labelsOf(names);
        return names;
    }

    private static List<String> readLines(Path file) {
        String expected = "; expected a UTF-8 text file of class names, one a line";
        if (!Files.isRegularFile(file)) {
            throw new InvalidDatasetException("cannot read class index " + file + ": "
                    + (Files.exists(file) ? "not a regular file" : "no such file") + expected);
        }
        try {
            if (Files.size(file) > MAX_CLASS_INDEX_BYTES) {
                throw new InvalidDatasetException("cannot read class index " + file + ": larger than "
                        + MAX_CLASS_INDEX_BYTES + " bytes" + expected);
            }
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
            return (text.startsWith("\uFEFF") ? text.substring(1) : text).lines().toList();
        } catch (CharacterCodingException e) {
            throw new InvalidDatasetException("cannot read class index " + file + ": not UTF-8 text" + expected);
        } catch (IOException e) {
            throw new InvalidDatasetException("cannot read class index " + file + ": " + e.getMessage());
        }
    }

    /** Refuses an annotation's name that is absolute or climbs out of the video root with "..". */
    private static void requireRelativeName(String name, String what, Path annotations) {
        boolean escapes;
        try {
            Path path = Path.of(name);
            escapes = name.isEmpty() || path.isAbsolute() || path.getRoot() != null
                    || StreamSupport.stream(path.spliterator(), false)
                            .anyMatch(part -> part.toString().equals(".."));
        } catch (InvalidPathException e) {
            escapes = true;
        }
        if (escapes) {
            throw new InvalidDatasetException(annotations + ": " + what + " name '" + abbreviate(name) + "' is not a"
                    + " name inside the video root; expected a relative name without '..'");
        }
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "..." : text;
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
