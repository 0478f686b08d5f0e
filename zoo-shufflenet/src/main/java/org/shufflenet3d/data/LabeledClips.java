package org.shufflenet3d.data;

import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ClipShape;

/**
 * A labelled set of clips, each [3, D, H, W] float in the reference's input range (raw pixels minus the mean),
 * read by index. Clips of one video share its {@link #video} name, which video-level evaluation groups by.
 */
public interface LabeledClips {

    int size();

    int numClasses();

    ClipShape clipShape();

    /** Clip {@code index} as [3, D, H, W]. */
    INDArray clip(int index);

    /**
     * Clip {@code index} as a training pass sees it: datasets that augment draw their random choices (crops, flips,
     * which frames) from {@code seed} alone, so a seed always gives the same clip; the others return
     * {@link #clip}. Must be safe to call from several threads.
     */
    default INDArray trainingClip(int index, long seed) {
        return clip(index);
    }

    /** Its class, 0 to {@link #numClasses()} − 1. */
    int label(int index);

    /** The video clip {@code index} was cut from; by default every clip is a video of its own. */
    default String video(int index) {
        return "clip-" + index;
    }

    /** Class names, by label; by default the label numbers. */
    default List<String> classNames() {
        return IntStream.range(0, numClasses()).mapToObj(String::valueOf).toList();
    }
}
