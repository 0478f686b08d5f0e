package org.shufflenet3d.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.data.LabeledClips;
import org.shufflenet3d.data.SyntheticMotion;
import org.shufflenet3d.data.VideoDataset;
import org.shufflenet3d.data.VideoIndex;
import org.shufflenet3d.video.VideoClips;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Where clips come from: a folder of class folders, an ActivityNet-style annotation file, or generated squares
 * moving in four directions ({@code synthetic}).
 */
final class DataOptions {

    private static final String SYNTHETIC = "synthetic";
    private static final long VALIDATION_SEED_OFFSET = 7919;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DATASET", defaultValue = SYNTHETIC,
            description = "A folder with one sub-folder of videos (files or frame folders) per class, an"
                    + " ActivityNet-style annotation file (.json, with its 'training' and 'validation' subsets), or"
                    + " 'synthetic' (generated squares moving right, left, down or up; the default).")
    String dataset;

    @Option(names = "--val", paramLabel = "FOLDER",
            description = "Validation videos, one sub-folder per class (with a class-folder DATASET).")
    Path validationFolder;

    @Option(names = "--class-index", paramLabel = "FILE",
            description = "Class names in label order: classInd.txt lines '1 name', or one name a line (default:"
                    + " the class folders sorted by name).")
    Path classIndex;

    @Option(names = "--video-root", paramLabel = "DIR",
            description = "Where an annotation file's videos are (default: the annotation file's folder).")
    Path videoRoot;

    @Option(names = "--train-clips", paramLabel = "N", defaultValue = "96",
            description = "Generated training clips (default 96).")
    int trainClips;

    @Option(names = "--val-clips", paramLabel = "N", defaultValue = "48",
            description = "Generated validation clips (default 48).")
    int validationClips;

    @Option(names = "--data-seed", paramLabel = "S", defaultValue = "1", description = "Seed of the generated data.")
    long seed;

    @Mixin
    VideoOptions video;

    /** The training set: one random clip per video and epoch. Bad video options are refused even for 'synthetic'. */
    LabeledClips training(ClipShape clip) {
        VideoClips.Preprocessing checked = video.preprocessing();
        if (isSynthetic()) {
            return new SyntheticMotion(trainClips, clip, seed);
        }
        return VideoDataset.perVideo(index(Path.of(dataset), "training"), new VideoClips(clip, checked));
    }

    /** The validation set, one centre clip per video, or null when there is none. */
    LabeledClips validation(ClipShape clip) {
        if (isSynthetic()) {
            return new SyntheticMotion(validationClips, clip, seed + VALIDATION_SEED_OFFSET);
        }
        if (isAnnotationFile()) {
            return VideoDataset.perVideo(index(Path.of(dataset), "validation"), video.clips(clip));
        }
        return validationFolder == null ? null
                : VideoDataset.perVideo(VideoIndex.classFolders(validationFolder, classIndex), video.clips(clip));
    }

    /**
     * The set to evaluate: DATASET's videos (an annotation file's 'validation' subset), every consecutive clip of
     * each when {@code allClips}, else each one's centre clip.
     */
    LabeledClips evaluation(ClipShape clip, boolean allClips) {
        if (isSynthetic()) {
            return validation(clip);
        }
        VideoIndex index = index(Path.of(dataset), "validation");
        VideoClips clips = video.clips(clip);
        return allClips ? VideoDataset.allClips(index, clips) : VideoDataset.perVideo(index, clips);
    }

    private VideoIndex index(Path path, String subset) {
        if (isAnnotationFile()) {
            Path root = videoRoot != null ? videoRoot : path.toAbsolutePath().getParent();
            return VideoIndex.activityNet(path, root, subset);
        }
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("DATASET " + path + (Files.exists(path) ? " is neither a folder nor a"
                    + " .json annotation file" : " does not exist") + "; expected a folder of class folders, an"
                    + " annotation file (.json) or 'synthetic'");
        }
        return VideoIndex.classFolders(path, classIndex);
    }

    private boolean isSynthetic() {
        return SYNTHETIC.equals(dataset);
    }

    private boolean isAnnotationFile() {
        return dataset.toLowerCase(Locale.ROOT).endsWith(".json");
    }
}
