package org.shufflenet3d.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What a job computes for each video: {@code task}, on clips cut as {@code clips} says, {@code batch} clips a forward
 * pass; for {@link Task#PREDICT} the {@code top} likeliest of {@code classNames} (null: the label numbers), for
 * {@link Task#EMBED} the mean clip features, L2-normalised when {@code l2}. {@code partitions}: how many parts the
 * videos are split into (0: four per core of the cluster).
 */
public record JobSettings(Task task, ClipSettings clips, int batch, int top, List<String> classNames, boolean l2,
        int partitions) implements Serializable {

    /** What is computed per video. */
    public enum Task {
        /** The top-K classes and their probabilities, averaged over the video's clips. */
        PREDICT,
        /** The mean of the clips' pooled features. */
        EMBED
    }

    public JobSettings {
        if (task == null || clips == null) {
            throw new IllegalArgumentException("a task and clip settings are needed");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        if (top < 1) {
            throw new IllegalArgumentException("--top must be at least 1, got " + top);
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions must be at least 1 (or 0 for the default), got "
                    + partitions);
        }
        classNames = classNames == null ? null : List.copyOf(classNames);
    }

    /** Top-{@code top} prediction of clips cut as {@code clips}, 8 clips a batch, classes named by number. */
    public static JobSettings predict(ClipSettings clips, int top) {
        return new JobSettings(Task.PREDICT, clips, 8, top, null, false, 0);
    }

    /** Embedding of clips cut as {@code clips}, 8 clips a batch. */
    public static JobSettings embed(ClipSettings clips, boolean l2) {
        return new JobSettings(Task.EMBED, clips, 8, 1, null, l2, 0);
    }

    public JobSettings withClassNames(List<String> names) {
        return new JobSettings(task, clips, batch, top, names, l2, partitions);
    }

    public JobSettings withBatch(int clipsPerBatch) {
        return new JobSettings(task, clips, clipsPerBatch, top, classNames, l2, partitions);
    }
}
