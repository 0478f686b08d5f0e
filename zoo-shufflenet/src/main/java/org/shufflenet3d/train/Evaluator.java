package org.shufflenet3d.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.data.ClipPrefetcher;
import org.shufflenet3d.data.LabeledClips;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures a {@link ShuffleNet3d} on a labelled dataset with its eval-mode logits, in batches.
 *
 * <p>Clip level: the mean cross-entropy (natural log, as torch's CrossEntropyLoss with its default mean
 * reduction), top-1 and top-k accuracy with k = min(5, classes), per-class top-1 accuracy and the confusion
 * matrix. Video level, the reference's test protocol: each video's clips' softmax probabilities are averaged and
 * the video counts as correct when the average is highest for its label.
 *
 * <p>Ties between logits go to the lower class index (a clip whose label ties for the k-th place is counted in
 * the top k only if its label is the lower index); a NaN logit ranks above every number.
 */
public final class Evaluator {

    /** The k of top-k accuracy, unless there are fewer classes. */
    public static final int MAX_TOP_K = 5;

    private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);
    private static final int PREFETCHED_BATCHES = 2;

    /** Told after each batch how many of the clips are evaluated. */
    @FunctionalInterface
    public interface Listener {
        void onBatch(int clipsDone, int clips);
    }

    private Evaluator() {
    }

    /** {@link #evaluate(ShuffleNet3d, LabeledClips, int, Listener)} without progress reports. */
    public static EvaluationResult evaluate(ShuffleNet3d model, LabeledClips data, int batchSize) {
        return evaluate(model, data, batchSize, (done, clips) -> { });
    }

    /**
     * Evaluates {@code model} on every clip of {@code data}, {@code batchSize} clips at a time (the batch evaluated
     * and the next ones being built are all that is held). The clips of one video are built in order, one after
     * the other, so that a video's clips are cut in one pass over it. The data's labels and videos are checked
     * before anything is computed.
     *
     * @throws InvalidConfigurationException if the data's class count is not the model's
     * @throws InvalidClipException          if the data's clip shape is not the model's, or a clip is not [3, D, H, W]
     *                                       float of that shape
     * @throws IllegalArgumentException      if the data is empty, a label is out of range, or the clips of one
     *                                       video disagree on its label
     */
    public static EvaluationResult evaluate(ShuffleNet3d model, LabeledClips data, int batchSize,
            Listener listener) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        if (batchSize < 1) {
            throw new IllegalArgumentException("the batch size must be at least 1, got " + batchSize);
        }
        int classes = model.config().numClasses();
        if (data.numClasses() != classes) {
            throw new InvalidConfigurationException("the dataset has " + data.numClasses() + " classes but the model ("
                    + model.config().describe() + ") has " + classes);
        }
        ClipShape shape = model.clipShape();
        if (!shape.equals(data.clipShape())) {
            throw new InvalidClipException("the dataset's clips are " + data.clipShape() + " (frames x height x width)"
                    + " but the model takes " + shape);
        }
        int n = data.size();
        if (n < 1) {
            throw new IllegalArgumentException("the dataset is empty: there are no clips to evaluate");
        }

        int[] labels = new int[n];
        int[] videoOf = new int[n];
        List<Integer> videoLabels = new ArrayList<>();
        List<Integer> videoFirstClip = new ArrayList<>();
        Map<String, Integer> videoIndex = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int label = data.label(i);
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("clip " + i + " has label " + label + ", out of range for " + classes
                        + " classes (0.." + (classes - 1) + ")");
            }
            labels[i] = label;
            String video = data.video(i);
            if (video == null) {
                throw new IllegalArgumentException("clip " + i + " has no video name");
            }
            Integer v = videoIndex.get(video);
            if (v == null) {
                v = videoLabels.size();
                videoIndex.put(video, v);
                videoLabels.add(label);
                videoFirstClip.add(i);
            } else if (videoLabels.get(v) != label) {
                throw new IllegalArgumentException("the clips of video '" + video + "' disagree on its label: clip "
                        + videoFirstClip.get(v) + " has " + videoLabels.get(v) + ", clip " + i + " has " + label);
            }
            videoOf[i] = v;
        }
        int videos = videoLabels.size();
        int k = Math.min(MAX_TOP_K, classes);

        double lossSum = 0;
        long topKCorrect = 0;
        long[][] confusion = new long[classes][classes];
        double[][] videoProbabilities = new double[videos][classes];
        int[] videoClips = new int[videos];
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < n; start += batchSize) {
            batches.add(IntStream.range(start, Math.min(n, start + batchSize)).toArray());
        }
        try (ClipPrefetcher prefetcher = new ClipPrefetcher(batches, data::clip, data::video, shape, model.dataType(),
                ClipPrefetcher.DEFAULT_THREADS, PREFETCHED_BATCHES)) {
            for (int start = 0; start < n; start += batchSize) {
                int end = Math.min(n, start + batchSize);
                INDArray batch = prefetcher.next();
                double[][] logits = model.output(batch).castTo(DataType.DOUBLE).reshape(end - start, classes)
                        .toDoubleMatrix();
                for (int i = start; i < end; i++) {
                    double[] row = logits[i - start];
                    int label = labels[i];
                    double logSumExp = logSumExp(row);
                    lossSum += logSumExp - row[label];
                    confusion[label][argMax(row)]++;
                    if (rank(row, label) < k) {
                        topKCorrect++;
                    }
                    double[] videoSum = videoProbabilities[videoOf[i]];
                    for (int c = 0; c < classes; c++) {
                        videoSum[c] += Math.exp(row[c] - logSumExp);
                    }
                    videoClips[videoOf[i]]++;
                }
                listener.onBatch(end, n);
            }
        }

        long top1Correct = 0;
        double[] perClass = new double[classes];
        for (int c = 0; c < classes; c++) {
            long total = Arrays.stream(confusion[c]).sum();
            top1Correct += confusion[c][c];
            perClass[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
        }
        long videosCorrect = 0;
        for (int v = 0; v < videos; v++) {
            double[] mean = videoProbabilities[v];
            for (int c = 0; c < classes; c++) {
                mean[c] /= videoClips[v];
            }
            if (argMax(mean) == videoLabels.get(v)) {
                videosCorrect++;
            }
        }
        EvaluationResult result = new EvaluationResult(lossSum / n, (double) top1Correct / n, (double) topKCorrect / n,
                k, perClass, confusion, (double) videosCorrect / videos, n, videos);
        LOG.debug("{}", result);
        return result;
    }

    /** log(sum(exp(row))), computed stably. */
    static double logSumExp(double[] row) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : row) {
            max = Math.max(max, v);
        }
        if (Double.isInfinite(max)) {
            return max;
        }
        double sum = 0;
        for (double v : row) {
            sum += Math.exp(v - max);
        }
        return max + Math.log(sum);
    }

    /** The index of the highest value, the first on ties; NaN ranks highest. */
    static int argMax(double[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            if (Double.compare(row[c], row[best]) > 0) {
                best = c;
            }
        }
        return best;
    }

    /** How many classes rank before {@code label}: higher values, and equal ones at lower indices. */
    private static int rank(double[] row, int label) {
        int rank = 0;
        for (int c = 0; c < row.length; c++) {
            int order = Double.compare(row[c], row[label]);
            if (order > 0 || order == 0 && c < label) {
                rank++;
            }
        }
        return rank;
    }
}
