package org.shufflenet3d.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.InvalidConfigurationException;

class SyntheticMotionTest {

    private static final double[] MEAN = {114.7748, 107.7354, 99.4750};
    /** Non-square frames, so that a mix-up of rows and columns shows. */
    private static final ClipShape SHAPE = new ClipShape(6, 16, 20);

    /** The clip's raw 0–255 pixels [channel][frame][row][column], read back by adding the mean. */
    private static double[][][][] pixels(INDArray clip) {
        long[] s = clip.shape();
        float[] values = clip.ravel().toFloatVector();
        double[][][][] out = new double[(int) s[0]][(int) s[1]][(int) s[2]][(int) s[3]];
        int i = 0;
        for (int c = 0; c < s[0]; c++) {
            for (int t = 0; t < s[1]; t++) {
                for (int y = 0; y < s[2]; y++) {
                    for (int x = 0; x < s[3]; x++) {
                        out[c][t][y][x] = values[i++] + MEAN[c];
                    }
                }
            }
        }
        return out;
    }

    /** Whether a pixel is brighter in every channel than the background can be. */
    private static boolean bright(double[][][][] p, int t, int y, int x) {
        for (double[][][] channel : p) {
            if (channel[t][y][x] <= SyntheticMotion.NOISE_MAX) {
                return false;
            }
        }
        return true;
    }

    /**
     * The centroid (row, column) of frame t's bright pixels, checking that they form one square of the given side
     * inside the frame.
     */
    private static double[] squareCentroid(double[][][][] p, int t, int side) {
        int count = 0;
        double rows = 0;
        double columns = 0;
        int minY = Integer.MAX_VALUE;
        int maxY = -1;
        int minX = Integer.MAX_VALUE;
        int maxX = -1;
        for (int y = 0; y < p[0][t].length; y++) {
            for (int x = 0; x < p[0][t][y].length; x++) {
                if (bright(p, t, y, x)) {
                    count++;
                    rows += y;
                    columns += x;
                    minY = Math.min(minY, y);
                    maxY = Math.max(maxY, y);
                    minX = Math.min(minX, x);
                    maxX = Math.max(maxX, x);
                }
            }
        }
        assertEquals(side * side, count, "bright pixels in frame " + t);
        assertEquals(side - 1, maxY - minY, "square height in frame " + t);
        assertEquals(side - 1, maxX - minX, "square width in frame " + t);
        return new double[] {rows / count, columns / count};
    }

    @Test
    void clipsAreFloatPixelsMinusTheMeanInTheirShape() {
        SyntheticMotion data = new SyntheticMotion(8, SHAPE, 1);
        assertEquals(8, data.size());
        assertEquals(4, data.numClasses());
        assertEquals(SHAPE, data.clipShape());
        assertEquals(List.of("right", "left", "down", "up"), data.classNames());
        for (int i = 0; i < data.size(); i++) {
            INDArray clip = data.clip(i);
            assertEquals(DataType.FLOAT, clip.dataType());
            assertArrayEquals(new long[] {3, 6, 16, 20}, clip.shape());
            double[][][][] p = pixels(clip);
            double max = 0;
            for (double[][][] channel : p) {
                for (double[][] frame : channel) {
                    for (double[] row : frame) {
                        for (double v : row) {
                            assertTrue(v >= -1e-4 && v <= 255 + 1e-4, "pixel " + v + " outside 0-255");
                            assertEquals(Math.rint(v), v, 1e-4, "pixels are whole numbers");
                            max = Math.max(max, v);
                        }
                    }
                }
            }
            assertTrue(max >= SyntheticMotion.SQUARE_MIN, "the square is bright");
        }
    }

    @Test
    void clipsDependOnlyOnSeedAndIndexAcrossInstancesAndThreads() throws Exception {
        SyntheticMotion first = new SyntheticMotion(16, SHAPE, 42);
        SyntheticMotion second = new SyntheticMotion(16, SHAPE, 42);
        List<float[]> sequential = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            sequential.add(first.clip(i).ravel().toFloatVector());
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> parallel = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int i = second.size() - 1; i >= 0; i--) {
                    int index = i;
                    parallel.add(pool.submit(() -> second.clip(index).ravel().toFloatVector()));
                }
            }
            for (int k = 0; k < parallel.size(); k++) {
                int index = second.size() - 1 - k % second.size();
                assertArrayEquals(sequential.get(index), parallel.get(k).get(), "clip " + index);
            }
        } finally {
            pool.shutdown();
        }
        float[] otherSeed = new SyntheticMotion(16, SHAPE, 43).clip(0).ravel().toFloatVector();
        assertFalse(Arrays.equals(sequential.get(0), otherSeed), "another seed gives other clips");
        for (int i = 1; i < sequential.size(); i++) {
            assertFalse(Arrays.equals(sequential.get(0), sequential.get(i)), "clip " + i + " equals clip 0");
        }
    }

    @Test
    void labelsAreBalancedAndVideosGroupConsecutiveClips() {
        SyntheticMotion single = new SyntheticMotion(10, SHAPE, 3);
        int[] counts = new int[4];
        for (int i = 0; i < single.size(); i++) {
            assertEquals(i % 4, single.label(i));
            assertEquals("video-" + i, single.video(i));
            counts[single.label(i)]++;
        }
        assertArrayEquals(new int[] {3, 3, 2, 2}, counts);

        SyntheticMotion grouped = new SyntheticMotion(26, SHAPE, 3, 3);
        counts = new int[4];
        for (int i = 0; i < grouped.size(); i++) {
            int video = i / 3;
            assertEquals("video-" + video, grouped.video(i));
            assertEquals(video % 4, grouped.label(i));
            counts[grouped.label(i)]++;
        }
        assertArrayEquals(new int[] {8, 6, 6, 6}, counts, "videos of 3 clips; the last has 2");
        assertFalse(Arrays.equals(grouped.clip(0).ravel().toFloatVector(), grouped.clip(1).ravel().toFloatVector()),
                "clips of one video differ");
    }

    static Stream<ClipShape> shapes() {
        return Stream.of(SHAPE, new ClipShape(2, 12, 12), new ClipShape(16, 12, 12), new ClipShape(8, 40, 33),
                new ClipShape(32, 19, 19));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void theSquareMovesInTheLabelledDirectionAndStaysInside(ClipShape shape) {
        SyntheticMotion data = new SyntheticMotion(16, shape, 7);
        int side = data.squareSide();
        int frames = shape.frames();
        // unit (row, column) steps of right, left, down, up
        int[][] direction = {{0, 1}, {0, -1}, {1, 0}, {-1, 0}};
        for (int i = 0; i < data.size(); i++) {
            double[][][][] p = pixels(data.clip(i));
            int[] d = direction[data.label(i)];
            double[] previous = squareCentroid(p, 0, side);
            double[] start = previous;
            for (int t = 1; t < frames; t++) {
                double[] now = squareCentroid(p, t, side);
                double along = (now[0] - previous[0]) * d[0] + (now[1] - previous[1]) * d[1];
                double across = (now[0] - previous[0]) * d[1] + (now[1] - previous[1]) * d[0];
                assertTrue(along >= 0 && along <= 2, "clip " + i + " frame " + t + " steps " + along + " px");
                assertEquals(0, across, 1e-9, "clip " + i + " drifts across its direction");
                previous = now;
            }
            double travel = (previous[0] - start[0]) * d[0] + (previous[1] - start[1]) * d[1];
            assertTrue(travel >= Math.max(1, (frames - 1) / 2),
                    "clip " + i + " (" + data.classNames().get(data.label(i)) + ") moves only " + travel + " px");
            if (shape.height() >= 33) {
                assertTrue(travel >= frames - 1, "with room, at least 1 px a frame; clip " + i + ": " + travel);
            }
        }
    }

    @Test
    void singleFramesDoNotRevealTheClass() {
        // Appearance alone: a nearest-class-mean classifier on a frame's per-channel means and the colour of its
        // square, fitted on half the clips, is at chance on the other half.
        ClipShape shape = new ClipShape(3, 12, 12);
        SyntheticMotion data = new SyntheticMotion(400, shape, 11);
        int half = data.size() / 2;
        double[][] features = new double[data.size()][];
        for (int i = 0; i < data.size(); i++) {
            features[i] = appearance(pixels(data.clip(i)), i % shape.frames());
        }
        double[][] centroids = new double[4][6];
        int[] counts = new int[4];
        for (int i = 0; i < half; i++) {
            counts[data.label(i)]++;
            for (int c = 0; c < 6; c++) {
                centroids[data.label(i)][c] += features[i][c];
            }
        }
        for (int k = 0; k < 4; k++) {
            for (int c = 0; c < 6; c++) {
                centroids[k][c] /= counts[k];
            }
        }
        int correct = 0;
        for (int i = half; i < data.size(); i++) {
            int best = 0;
            for (int k = 1; k < 4; k++) {
                if (distance(features[i], centroids[k]) < distance(features[i], centroids[best])) {
                    best = k;
                }
            }
            correct += best == data.label(i) ? 1 : 0;
        }
        double accuracy = (double) correct / (data.size() - half);
        assertTrue(accuracy < 0.4, "frame appearance predicts the class with accuracy " + accuracy);

        // The background is drawn afresh every frame: away from the square, consecutive frames share about 1/128
        // of their values.
        double[][][][] p = pixels(data.clip(0));
        int same = 0;
        int compared = 0;
        for (int t = 1; t < shape.frames(); t++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < shape.height(); y++) {
                    for (int x = 0; x < shape.width(); x++) {
                        if (!bright(p, t, y, x) && !bright(p, t - 1, y, x)) {
                            compared++;
                            same += p[c][t][y][x] == p[c][t - 1][y][x] ? 1 : 0;
                        }
                    }
                }
            }
        }
        assertTrue(same < 0.05 * compared, same + " of " + compared + " background values repeat");
    }

    /** A frame's appearance: its mean per channel, and the mean per channel of its bright (square) pixels. */
    private static double[] appearance(double[][][][] p, int t) {
        double[] features = new double[2 * p.length];
        int pixels = 0;
        int bright = 0;
        for (int y = 0; y < p[0][t].length; y++) {
            for (int x = 0; x < p[0][t][y].length; x++) {
                pixels++;
                boolean square = bright(p, t, y, x);
                bright += square ? 1 : 0;
                for (int c = 0; c < p.length; c++) {
                    features[c] += p[c][t][y][x];
                    features[p.length + c] += square ? p[c][t][y][x] : 0;
                }
            }
        }
        for (int c = 0; c < p.length; c++) {
            features[c] /= pixels;
            features[p.length + c] /= bright;
        }
        return features;
    }

    private static double distance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return sum;
    }

    @Test
    void badArgumentsAreRefusedClearly() {
        assertTrue(assertThrows(InvalidConfigurationException.class, () -> new SyntheticMotion(0, SHAPE, 1))
                .getMessage().contains("at least 1 clip"));
        assertTrue(assertThrows(InvalidConfigurationException.class, () -> new SyntheticMotion(4, SHAPE, 1, 0))
                .getMessage().contains("clips per video"));
        assertTrue(assertThrows(InvalidClipException.class,
                () -> new SyntheticMotion(4, new ClipShape(1, 16, 16), 1)).getMessage().contains("at least 2 frames"));
        assertTrue(assertThrows(InvalidClipException.class,
                () -> new SyntheticMotion(4, new ClipShape(4, 11, 16), 1)).getMessage().contains("12x12"));
        assertTrue(assertThrows(InvalidClipException.class,
                () -> new SyntheticMotion(4, new ClipShape(4, 16, 11), 1)).getMessage().contains("16x11"));
        String tooShort = assertThrows(InvalidClipException.class,
                () -> new SyntheticMotion(4, new ClipShape(32, 18, 40), 1)).getMessage();
        assertTrue(tooShort.contains("19x19") && tooShort.contains("32 frames"), tooShort);
        assertThrows(NullPointerException.class, () -> new SyntheticMotion(4, null, 1));
        SyntheticMotion data = new SyntheticMotion(4, SHAPE, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> data.clip(4));
        assertThrows(IndexOutOfBoundsException.class, () -> data.label(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> data.video(4));
    }
}
