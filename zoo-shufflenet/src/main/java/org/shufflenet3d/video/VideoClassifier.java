package org.shufflenet3d.video;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ShuffleNet3d;

/**
 * Classifies whole videos as the reference's test does: every consecutive clip of the video through the network,
 * softmax per clip, the probabilities averaged over the clips.
 */
public final class VideoClassifier {

    /** One class and its probability. */
    public record Ranked(int label, String name, double probability) {
    }

    /** The averaged class probabilities of one video over its {@code clips} clips. */
    public record Prediction(Path video, int clips, double[] probabilities, List<String> classNames) {

        /** The {@code k} likeliest classes, likeliest first (all of them when there are fewer). */
        public List<Ranked> top(int k) {
            return IntStream.range(0, probabilities.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer c) -> -probabilities[c]).thenComparing(c -> c))
                    .limit(k)
                    .map(c -> new Ranked(c, classNames.get(c), probabilities[c]))
                    .toList();
        }
    }

    private final ShuffleNet3d model;
    private final VideoClips clips;
    private final List<String> classNames;
    private final int batchSize;

    /**
     * Classifies with {@code model} the clips {@code clips} cuts (their shape must be the model's), naming classes
     * by {@code classNames} (one per class), {@code batchSize} clips a forward pass.
     */
    public VideoClassifier(ShuffleNet3d model, VideoClips clips, List<String> classNames, int batchSize) {
        this.model = Objects.requireNonNull(model, "model");
        this.clips = Objects.requireNonNull(clips, "clips");
        this.classNames = List.copyOf(classNames);
        if (!clips.shape().equals(model.clipShape())) {
            throw new IllegalArgumentException("the clips are 3x" + clips.shape() + " but the model takes 3x"
                    + model.clipShape());
        }
        if (classNames.size() != model.config().numClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names given for a model of "
                    + model.config().numClasses() + " classes");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
    }

    /** Class names "0", "1", ... for a model without named classes. */
    public static List<String> numberedClasses(int count) {
        return IntStream.range(0, count).mapToObj(String::valueOf).toList();
    }

    /**
     * The prediction for {@code video}, whose clips are cut and classified as it is decoded: at most one batch of
     * clips is held, whatever the video's length.
     */
    public Prediction classify(Path video) {
        double[] sum = new double[classNames.size()];
        int clipCount = clips.forEachTestBatch(video, batchSize, batch -> {
            double[][] probabilities = model.probabilities(batch.castTo(model.dataType())).castTo(DataType.DOUBLE)
                    .toDoubleMatrix();
            for (double[] row : probabilities) {
                for (int c = 0; c < sum.length; c++) {
                    sum[c] += row[c];
                }
            }
        });
        double[] mean = new double[sum.length];
        for (int c = 0; c < sum.length; c++) {
            mean[c] = sum[c] / clipCount;
        }
        return new Prediction(video, clipCount, mean, classNames);
    }
}
