package org.shufflenet3d.train;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * What {@link Evaluator#evaluate} measured on a dataset.
 *
 * @param loss             the mean cross-entropy of the clips' logits (natural log, as torch's CrossEntropyLoss)
 * @param top1             the fraction of clips whose highest logit is their label's
 * @param topK             the fraction of clips whose label is among their {@code k} highest logits
 * @param k                min(5, classes)
 * @param perClassAccuracy by actual class, the top-1 accuracy of its clips; NaN for a class without clips
 * @param confusion        clip counts by [actual class][predicted class]
 * @param videoAccuracy    the fraction of videos whose mean clip probabilities are highest for their label
 * @param clips            the clips evaluated
 * @param videos           the videos they came from
 */
public record EvaluationResult(double loss, double top1, double topK, int k, double[] perClassAccuracy,
        long[][] confusion, double videoAccuracy, int clips, int videos) {

    public EvaluationResult {
        Objects.requireNonNull(perClassAccuracy, "perClassAccuracy");
        Objects.requireNonNull(confusion, "confusion");
        int classes = perClassAccuracy.length;
        if (confusion.length != classes || Arrays.stream(confusion).anyMatch(row -> row.length != classes)) {
            throw new IllegalArgumentException("the confusion matrix must be " + classes + "x" + classes
                    + " for " + classes + " classes");
        }
        perClassAccuracy = perClassAccuracy.clone();
        confusion = copy(confusion);
    }

    @Override
    public double[] perClassAccuracy() {
        return perClassAccuracy.clone();
    }

    @Override
    public long[][] confusion() {
        return copy(confusion);
    }

    public int numClasses() {
        return perClassAccuracy.length;
    }

    /** A readable summary: the headline numbers, then per-class accuracy and the confusion matrix. */
    public String report() {
        return report(IntStream.range(0, numClasses()).mapToObj(String::valueOf).toList());
    }

    /** A readable summary with classes named by label: headline numbers, per-class accuracy, confusion matrix. */
    public String report(List<String> classNames) {
        Objects.requireNonNull(classNames, "classNames");
        int classes = numClasses();
        if (classNames.size() != classes) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + classes + " classes");
        }
        StringBuilder out = new StringBuilder();
        long correct = 0;
        for (int c = 0; c < classes; c++) {
            correct += confusion[c][c];
        }
        line(out, "clips: %d from %d videos", clips, videos);
        line(out, "loss: %.4f", loss);
        line(out, "top-1 accuracy: %s (%d/%d)", percent(top1), correct, clips);
        line(out, "top-%d accuracy: %s (%d/%d)", k, percent(topK), Math.round(topK * clips), clips);
        line(out, "video accuracy: %s (%d/%d)", percent(videoAccuracy), Math.round(videoAccuracy * videos), videos);

        int nameWidth = Math.max("actual \\ predicted".length(), classNames.stream().mapToInt(String::length).max()
                .orElse(0));
        out.append("per-class accuracy:\n");
        for (int c = 0; c < classes; c++) {
            long total = Arrays.stream(confusion[c]).sum();
            line(out, "  %-" + nameWidth + "s  %7s  (%d/%d)", classNames.get(c), percent(perClassAccuracy[c]),
                    confusion[c][c], total);
        }

        out.append("confusion matrix (rows: actual, columns: predicted):\n");
        int[] widths = new int[classes];
        for (int p = 0; p < classes; p++) {
            widths[p] = classNames.get(p).length();
            for (long[] row : confusion) {
                widths[p] = Math.max(widths[p], Long.toString(row[p]).length());
            }
        }
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-" + nameWidth + "s",
                "actual \\ predicted"));
        for (int p = 0; p < classes; p++) {
            header.append("  ").append(String.format(Locale.ROOT, "%" + widths[p] + "s", classNames.get(p)));
        }
        out.append(header).append('\n');
        for (int a = 0; a < classes; a++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-" + nameWidth + "s",
                    classNames.get(a)));
            for (int p = 0; p < classes; p++) {
                row.append("  ").append(String.format(Locale.ROOT, "%" + widths[p] + "d", confusion[a][p]));
            }
            out.append(row).append('\n');
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String format, Object... args) {
        out.append(String.format(Locale.ROOT, format, args)).append('\n');
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "n/a" : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    private static long[][] copy(long[][] matrix) {
        long[][] out = new long[matrix.length][];
        for (int i = 0; i < matrix.length; i++) {
            out[i] = matrix[i].clone();
        }
        return out;
    }

    /** Equal when every number is: per-class accuracies and the confusion matrix compared by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof EvaluationResult r && Double.compare(loss, r.loss) == 0 && Double.compare(top1, r.top1) == 0
                && Double.compare(topK, r.topK) == 0 && k == r.k && Arrays.equals(perClassAccuracy, r.perClassAccuracy)
                && Arrays.deepEquals(confusion, r.confusion) && Double.compare(videoAccuracy, r.videoAccuracy) == 0
                && clips == r.clips && videos == r.videos;
    }

    @Override
    public int hashCode() {
        return Objects.hash(loss, top1, topK, k, Arrays.hashCode(perClassAccuracy), Arrays.deepHashCode(confusion),
                videoAccuracy, clips, videos);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "EvaluationResult[loss=%.6f, top1=%.4f, top%d=%.4f, video=%.4f, clips=%d,"
                + " videos=%d, perClassAccuracy=%s, confusion=%s]", loss, top1, k, topK, videoAccuracy, clips, videos,
                Arrays.toString(perClassAccuracy), Arrays.deepToString(confusion));
    }
}
