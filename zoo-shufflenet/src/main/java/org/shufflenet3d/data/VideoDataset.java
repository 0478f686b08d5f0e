package org.shufflenet3d.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.video.VideoClips;

/**
 * The labelled videos of a {@link VideoIndex} as clips, cut as the reference cuts them:
 * <ul>
 * <li>{@link #perVideo}: one clip per video: in training ({@link #trainingClip}) a random window, flip and crop
 * drawn from the seed, anew each epoch; in evaluation ({@link #clip}) the centre window, as for validation;
 * <li>{@link #allClips}: every consecutive window of every video (each video's frames are counted when the dataset
 * is made), which evaluation scores per clip and per video by averaging, as the reference's test does.
 * </ul>
 * Videos are decoded when a clip is asked for; {@link ClipPrefetcher} keeps that off the training thread.
 */
public final class VideoDataset implements LabeledClips {

    private record Clip(int video, int[] frames) {
    }

    private final VideoIndex index;
    private final VideoClips clips;
    private final List<Clip> testClips;

    private VideoDataset(VideoIndex index, VideoClips clips, List<Clip> testClips) {
        this.index = Objects.requireNonNull(index, "index");
        this.clips = Objects.requireNonNull(clips, "clips");
        this.testClips = testClips;
    }

    /** One clip per video: random in training, the centre one in evaluation. */
    public static VideoDataset perVideo(VideoIndex index, VideoClips clips) {
        return new VideoDataset(index, clips, null);
    }

    /** Every consecutive clip of every video. */
    public static VideoDataset allClips(VideoIndex index, VideoClips clips) {
        List<Clip> all = new ArrayList<>();
        for (int v = 0; v < index.videos().size(); v++) {
            for (int[] frames : clips.testWindows(clips.frameCount(index.videos().get(v).path()))) {
                all.add(new Clip(v, frames));
            }
        }
        return new VideoDataset(index, clips, all);
    }

    public VideoIndex index() {
        return index;
    }

    @Override
    public int size() {
        return testClips == null ? index.videos().size() : testClips.size();
    }

    @Override
    public int numClasses() {
        return index.classNames().size();
    }

    @Override
    public ClipShape clipShape() {
        return clips.shape();
    }

    @Override
    public INDArray clip(int i) {
        if (testClips == null) {
            return clips.validationClip(entry(i).path());
        }
        Clip clip = testClips.get(checked(i));
        return clips.testClip(index.videos().get(clip.video()).path(), clip.frames());
    }

    @Override
    public INDArray trainingClip(int i, long seed) {
        if (testClips != null) {
            return clip(i);
        }
        return clips.trainingClip(entry(i).path(), new SplittableRandom(seed));
    }

    @Override
    public int label(int i) {
        return entry(i).label();
    }

    @Override
    public String video(int i) {
        return entry(i).name();
    }

    @Override
    public List<String> classNames() {
        return index.classNames();
    }

    private VideoIndex.Video entry(int i) {
        int video = testClips == null ? checked(i) : testClips.get(checked(i)).video();
        return index.videos().get(video);
    }

    private int checked(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("clip " + i + " asked of a dataset of " + size() + " clips");
        }
        return i;
    }
}
