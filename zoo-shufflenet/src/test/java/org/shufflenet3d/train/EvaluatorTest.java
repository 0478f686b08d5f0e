package org.shufflenet3d.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.Networks;
import org.shufflenet3d.ReferenceOps;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.data.LabeledClips;
import org.shufflenet3d.data.SyntheticMotion;

/** Evaluator's numbers against the same numbers computed here, clip by clip, from the model's logits. */
class EvaluationTest {

    private static final int CLASSES = 7;
    private static final ClipShape CLIP = new ClipShape(4, 16, 16);
    private static final int POOL = 12;

    private static ShuffleNet3d model;
    /** A pool of varied clips and their logits. */
    private static final List<INDArray> CLIPS = new ArrayList<>();
    private static double[][] logits;

    /** A dataset of fixed clips, labels and video names. */
    private record Fake(List<INDArray> clips, int[] labels, String[] videos, int classes, ClipShape shape)
            implements LabeledClips {

        Fake(List<INDArray> clips, int[] labels) {
            this(clips, labels, IntStream.range(0, labels.length).mapToObj(i -> "v" + i).toArray(String[]::new),
                    CLASSES, CLIP);
        }

        @Override
        public int size() {
            return labels.length;
        }

        @Override
        public int numClasses() {
            return classes;
        }

        @Override
        public ClipShape clipShape() {
            return shape;
        }

        @Override
        public INDArray clip(int index) {
            return clips.get(index);
        }

        @Override
        public int label(int index) {
            return labels[index];
        }

        @Override
        public String video(int index) {
            return videos[index];
        }
    }

    /**
     * An untrained network gives nearly the same logits for every clip, so its classifier is rescaled to spread
     * them: logits become {@code scale * (W f - mean over the pool of W f)}, the pool's logits centred and scaled to
     * a spread of about 2. The network is otherwise as initialised.
     */
    @BeforeAll
    static void setUp() {
        model = ShuffleNet3d.create(ShuffleNetConfig.v2(0.25, CLASSES), CLIP, 3);
        for (int i = 0; i < POOL; i++) {
            // noise around a per-clip level, so that the network's features differ between clips
            double level = -120 + 240.0 * i / (POOL - 1);
            CLIPS.add(ReferenceOps.uniform(100 + i, level - 40 * (i % 3), level + 40, 3, 4, 16, 16));
        }
        double[][] raw = poolLogits();
        double[] mean = new double[CLASSES];
        for (double[] row : raw) {
            for (int c = 0; c < CLASSES; c++) {
                mean[c] += row[c] / POOL;
            }
        }
        double squares = 0;
        for (double[] row : raw) {
            for (int c = 0; c < CLASSES; c++) {
                squares += (row[c] - mean[c]) * (row[c] - mean[c]);
            }
        }
        double scale = 2 / Math.sqrt(squares / (POOL * CLASSES));
        Map<String, INDArray> weights = model.weights();
        String weight = Networks.CLASSIFIER_PREFIX + "1.weight";
        String bias = Networks.CLASSIFIER_PREFIX + "1.bias";
        double[] b = weights.get(bias).castTo(DataType.DOUBLE).toDoubleVector();
        double[] centred = new double[CLASSES];
        for (int c = 0; c < CLASSES; c++) {
            centred[c] = scale * (b[c] - mean[c]);
        }
        weights.put(weight, weights.get(weight).mul(scale));
        weights.put(bias, Nd4j.createFromArray(centred).castTo(DataType.FLOAT));
        model.loadWeights(weights);
        logits = poolLogits();
    }

    /** The model's logits for the pool's clips. */
    private static double[][] poolLogits() {
        return model.output(Nd4j.stack(0, CLIPS.toArray(INDArray[]::new))).castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    private static double[] softmax(double[] row) {
        double sum = 0;
        for (double v : row) {
            sum += Math.exp(v);
        }
        double[] p = new double[row.length];
        for (int c = 0; c < row.length; c++) {
            p[c] = Math.exp(row[c]) / sum;
        }
        return p;
    }

    /** Classes from the highest logit down. */
    private static int[] ranking(double[] row) {
        return IntStream.range(0, row.length).boxed().sorted(Comparator.comparingDouble(c -> -row[c]))
                .mapToInt(Integer::intValue).toArray();
    }

    private static int predicted(int clip) {
        return ranking(logits[clip])[0];
    }

    /** A class no clip of the pool is predicted as. */
    private static int unpredictedClass() {
        return IntStream.range(0, CLASSES).filter(c -> IntStream.range(0, POOL).noneMatch(i -> predicted(i) == c))
                .max().orElseGet(() -> fail("every class is some clip's prediction"));
    }

    /**
     * Labels for the pool: a third of the clips right, a third 5th (or 4th) in the ranking of their logits, so right
     * only in the top 5, and a third 6th (or 7th), so wrong even in the top 5; no clip of {@link #unpredictedClass}.
     */
    private static int[] mixedLabels() {
        int empty = unpredictedClass();
        int[] labels = new int[POOL];
        for (int i = 0; i < POOL; i++) {
            int[] order = ranking(logits[i]);
            labels[i] = switch (i % 3) {
                case 0 -> order[0];
                case 1 -> order[4] != empty ? order[4] : order[3];
                default -> order[5] != empty ? order[5] : order[6];
            };
        }
        return labels;
    }

    @Test
    void theNumbersAreThoseOfTheModelsLogits() {
        int[] labels = mixedLabels();
        EvaluationResult result = Evaluator.evaluate(model, new Fake(CLIPS, labels), 5);

        double loss = 0;
        int top1 = 0;
        int top5 = 0;
        long[][] confusion = new long[CLASSES][CLASSES];
        for (int i = 0; i < POOL; i++) {
            loss -= Math.log(softmax(logits[i])[labels[i]]);
            int[] order = ranking(logits[i]);
            top1 += order[0] == labels[i] ? 1 : 0;
            int label = labels[i];
            top5 += Arrays.stream(order).limit(5).anyMatch(c -> c == label) ? 1 : 0;
            confusion[labels[i]][order[0]]++;
        }
        assertTrue(top1 > 0 && top1 < top5 && top5 < POOL, "labels as intended: " + top1 + ", " + top5);
        assertTrue(IntStream.range(0, POOL).anyMatch(i -> ranking(logits[i])[5] == labels[i]),
                "some label is just outside the top 5");
        assertEquals(loss / POOL, result.loss(), 1e-5 * Math.abs(loss / POOL));
        assertEquals((double) top1 / POOL, result.top1());
        assertEquals((double) top5 / POOL, result.topK());
        assertEquals(5, result.k());
        assertArrayEquals(confusion, result.confusion());
        double[] perClass = result.perClassAccuracy();
        for (int c = 0; c < CLASSES; c++) {
            long total = Arrays.stream(confusion[c]).sum();
            if (total == 0) {
                assertTrue(Double.isNaN(perClass[c]), "class " + c + " has no clips: " + perClass[c]);
            } else {
                assertEquals((double) confusion[c][c] / total, perClass[c], "class " + c);
            }
        }
        assertTrue(Double.isNaN(perClass[unpredictedClass()]));
        assertEquals(POOL, result.clips());
        assertEquals(POOL, result.videos());
        assertEquals(result.top1(), result.videoAccuracy(), "one clip per video: videos are clips");
    }

    @Test
    void theBatchSizeDoesNotChangeTheResult() {
        Fake data = new Fake(CLIPS.subList(3, 7), Arrays.copyOfRange(mixedLabels(), 3, 7));
        EvaluationResult all = Evaluator.evaluate(model, data, 4);
        for (int batchSize : new int[] {1, 3}) {
            EvaluationResult other = Evaluator.evaluate(model, data, batchSize);
            // The network's float logits may differ in the last bits between batch sizes, which this model's
            // rescaled classifier magnifies; the counts must not change.
            assertEquals(all.loss(), other.loss(), 1e-6 * all.loss(), "batch size " + batchSize);
            assertEquals(all, new EvaluationResult(all.loss(), other.top1(), other.topK(), other.k(),
                    other.perClassAccuracy(), other.confusion(), other.videoAccuracy(), other.clips(), other.videos()),
                    "batch size " + batchSize);
        }
    }

    @Test
    void videosAverageTheirClipsProbabilities() {
        // two clips the network tells apart, made one video labelled by their mean probabilities' top class
        int a = 0;
        int b = IntStream.range(1, POOL).filter(i -> predicted(i) != predicted(0)).findFirst()
                .orElseGet(() -> fail("the pool's clips all predict class " + predicted(0)));
        double[] pa = softmax(logits[a]);
        double[] pb = softmax(logits[b]);
        double[] mean = new double[CLASSES];
        for (int c = 0; c < CLASSES; c++) {
            mean[c] = (pa[c] + pb[c]) / 2;
        }
        int videoLabel = ranking(mean)[0];
        // and a third clip, a video of its own, labelled wrongly
        int c = b == 1 ? 2 : 1;
        int wrong = (predicted(c) + 1) % CLASSES;
        Fake data = new Fake(List.of(CLIPS.get(a), CLIPS.get(c), CLIPS.get(b)), new int[] {videoLabel, wrong,
            videoLabel}, new String[] {"pair", "single", "pair"}, CLASSES, CLIP);

        int clipsRight = (predicted(a) == videoLabel ? 1 : 0) + (predicted(b) == videoLabel ? 1 : 0);
        EvaluationResult result = Evaluator.evaluate(model, data, 3);
        assertEquals(3, result.clips());
        assertEquals(2, result.videos());
        assertEquals(clipsRight / 3.0, result.top1());
        assertEquals(0.5, result.videoAccuracy(), "the pair is right, the single clip wrong");
        assertNotEquals(result.top1(), result.videoAccuracy());
    }

    @Test
    void theReportNamesClassesAndFormatsNumbersTheSameInEveryLocale() {
        Fake data = new Fake(CLIPS.subList(0, 6), Arrays.copyOf(mixedLabels(), 6));
        EvaluationResult result = Evaluator.evaluate(model, data, 6);
        List<String> names = List.of("walk", "run", "jump", "swim", "sit", "stand", "wave");
        Locale saved = Locale.getDefault();
        String report;
        try {
            Locale.setDefault(Locale.GERMANY);
            report = result.report(names);
        } finally {
            Locale.setDefault(saved);
        }
        long correct = Math.round(result.top1() * 6);
        assertTrue(report.contains(String.format(Locale.ROOT, "loss: %.4f", result.loss())), report);
        assertTrue(report.contains(String.format(Locale.ROOT, "top-1 accuracy: %.2f%% (%d/6)", 100 * result.top1(),
                correct)), report);
        assertTrue(report.contains("top-5 accuracy: "), report);
        assertTrue(report.contains("video accuracy: "), report);
        assertTrue(report.contains("clips: 6 from 6 videos"), report);
        long[][] confusion = result.confusion();
        List<String> lines = report.lines().toList();
        for (int actual = 0; actual < CLASSES; actual++) {
            String name = names.get(actual);
            long[] row = confusion[actual];
            // the confusion matrix's row: the name, then the counts
            assertTrue(lines.stream().anyMatch(l -> {
                String[] cells = l.trim().split("\\s+");
                return cells.length == CLASSES + 1 && cells[0].equals(name)
                        && Arrays.equals(Arrays.stream(cells, 1, cells.length).mapToLong(Long::parseLong).toArray(),
                                row);
            }), "no confusion row for " + name + " in\n" + report);
        }
        String empty = names.get(unpredictedClass());
        assertTrue(lines.stream().anyMatch(l -> l.trim().startsWith(empty) && l.contains("n/a")),
                empty + " has no clips\n" + report);
        assertThrows(IllegalArgumentException.class, () -> result.report(List.of("a", "b")));
    }

    @Test
    void topKIsCappedAtTheClassCount() {
        ClipShape shape = new ClipShape(2, 12, 12);
        ShuffleNet3d four = ShuffleNet3d.create(ShuffleNetConfig.v2(0.25, 4), shape);
        EvaluationResult result = Evaluator.evaluate(four, new SyntheticMotion(6, shape, 1, 2), 6);
        assertEquals(4, result.k());
        assertEquals(1.0, result.topK(), "every label is among the top 4 of 4");
        assertEquals(6, result.clips());
        assertEquals(3, result.videos());
        assertEquals(6, Arrays.stream(result.confusion()).flatMapToLong(Arrays::stream).sum());
    }

    @Test
    void mismatchedOrBadDataIsRefusedClearly() {
        List<INDArray> three = CLIPS.subList(0, 3);
        String message = assertThrows(InvalidConfigurationException.class, () -> Evaluator.evaluate(model,
                new Fake(three, new int[] {0, 1, 2}, new String[] {"a", "b", "c"}, 5, CLIP), 2)).getMessage();
        assertTrue(message.contains("5 classes") && message.contains("has 7"), message);

        message = assertThrows(InvalidClipException.class, () -> Evaluator.evaluate(model,
                new Fake(three, new int[] {0, 1, 2}, new String[] {"a", "b", "c"}, CLASSES, new ClipShape(4, 16, 17)),
                2)).getMessage();
        assertTrue(message.contains("4x16x17") && message.contains("4x16x16"), message);

        message = assertThrows(IllegalArgumentException.class,
                () -> Evaluator.evaluate(model, new Fake(List.of(), new int[0]), 2)).getMessage();
        assertTrue(message.contains("empty"), message);

        message = assertThrows(IllegalArgumentException.class,
                () -> Evaluator.evaluate(model, new Fake(three, new int[] {0, 1, 7}), 2)).getMessage();
        assertTrue(message.contains("clip 2 has label 7, out of range for 7 classes"), message);
        message = assertThrows(IllegalArgumentException.class,
                () -> Evaluator.evaluate(model, new Fake(three, new int[] {-1, 1, 2}), 2)).getMessage();
        assertTrue(message.contains("clip 0 has label -1"), message);

        message = assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(model,
                new Fake(three, new int[] {0, 1, 2}, new String[] {"a", "b", "a"}, CLASSES, CLIP), 2)).getMessage();
        assertTrue(message.contains("video 'a'") && message.contains("clip 0 has 0, clip 2 has 2"), message);

        List<INDArray> misShaped = List.of(CLIPS.get(0), CLIPS.get(1).reshape(3, 4, 256));
        message = assertThrows(InvalidClipException.class,
                () -> Evaluator.evaluate(model, new Fake(misShaped, new int[] {0, 1}), 2)).getMessage();
        assertTrue(message.contains("clip 1") && message.contains("[3, 4, 256]"), message);

        assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(model, new Fake(three,
                new int[] {0, 1, 2}), 0));
    }
}
