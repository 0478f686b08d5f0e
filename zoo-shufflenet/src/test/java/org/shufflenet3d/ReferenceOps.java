package org.shufflenet3d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Test support: PyTorch's 3D convolution and pooling written out as plain loops over float arrays in NCDHW layout,
 * seeded random arrays, and comparisons of ND4J arrays.
 */
public final class ReferenceOps {

    private ReferenceOps() {
    }

    // ---------------------------------------------------------------- arrays

    /** A float array of the given shape, uniform in [low, high), reproducible from the seed. */
    public static INDArray uniform(long seed, double low, double high, long... shape) {
        Random random = new Random(seed);
        float[] values = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (low + (high - low) * random.nextDouble());
        }
        return Nd4j.create(values, shape, 'c');
    }

    /** The values in C order. */
    public static float[] floats(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').data().asFloat();
    }

    /** A per-sample shape ([C, D, H, W]) with the batch dimension put in front. */
    public static long[] withBatch(long batch, long[] shape) {
        long[] out = new long[shape.length + 1];
        out[0] = batch;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    /** Runs a graph on one input and returns one output. */
    public static INDArray run(SameDiff sd, String input, INDArray value, String output) {
        return sd.output(Map.of(input, value), output).get(output);
    }

    // ---------------------------------------------------------------- reference operations

    /**
     * PyTorch's {@code F.conv3d(x, weight, stride=stride, padding=padding, groups=groups)} without bias:
     * x [N, C, D, H, W], weight [out, C/groups, kD, kH, kW]; out channel o sees input channels of group
     * o / (out/groups). Accumulates in double.
     */
    public static INDArray conv3d(INDArray x, INDArray weight, int[] stride, int[] padding, int groups) {
        int[] xs = dims(x, 5);
        int[] ws = dims(weight, 5);
        int n = xs[0], c = xs[1], d = xs[2], h = xs[3], w = xs[4];
        int out = ws[0], inPerGroup = ws[1], kd = ws[2], kh = ws[3], kw = ws[4];
        if (c != inPerGroup * groups || out % groups != 0) {
            throw new IllegalArgumentException("channels " + c + " -> " + out + " do not fit " + groups + " groups");
        }
        int od = outputSize(d, kd, stride[0], padding[0]);
        int oh = outputSize(h, kh, stride[1], padding[1]);
        int ow = outputSize(w, kw, stride[2], padding[2]);
        float[] in = floats(x);
        float[] k = floats(weight);
        float[] y = new float[n * out * od * oh * ow];
        int outPerGroup = out / groups;
        int i = 0;
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < out; o++) {
                int firstInput = (o / outPerGroup) * inPerGroup;
                for (int z = 0; z < od; z++) {
                    for (int r = 0; r < oh; r++) {
                        for (int q = 0; q < ow; q++) {
                            double sum = 0;
                            for (int ci = 0; ci < inPerGroup; ci++) {
                                for (int a = 0; a < kd; a++) {
                                    int zi = z * stride[0] - padding[0] + a;
                                    if (zi < 0 || zi >= d) {
                                        continue;
                                    }
                                    for (int e = 0; e < kh; e++) {
                                        int ri = r * stride[1] - padding[1] + e;
                                        if (ri < 0 || ri >= h) {
                                            continue;
                                        }
                                        for (int f = 0; f < kw; f++) {
                                            int qi = q * stride[2] - padding[2] + f;
                                            if (qi < 0 || qi >= w) {
                                                continue;
                                            }
                                            int channel = firstInput + ci;
                                            sum += (double) in[(((b * c + channel) * d + zi) * h + ri) * w + qi]
                                                    * k[(((o * inPerGroup + ci) * kd + a) * kh + e) * kw + f];
                                        }
                                    }
                                }
                            }
                            y[i++] = (float) sum;
                        }
                    }
                }
            }
        }
        return Nd4j.create(y, new long[] {n, out, od, oh, ow}, 'c');
    }

    /**
     * The dense weight [out, C, kD, kH, kW] equivalent to a grouped weight [out, C/groups, kD, kH, kW]: zero
     * outside each output channel's group of inputs (block-diagonal; diagonal when groups = C = out).
     */
    public static INDArray blockDiagonal(INDArray groupedWeight, int groups) {
        int[] ws = dims(groupedWeight, 5);
        int out = ws[0], inPerGroup = ws[1], taps = ws[2] * ws[3] * ws[4];
        int in = inPerGroup * groups;
        int outPerGroup = out / groups;
        float[] grouped = floats(groupedWeight);
        float[] dense = new float[out * in * taps];
        for (int o = 0; o < out; o++) {
            int firstInput = (o / outPerGroup) * inPerGroup;
            for (int ci = 0; ci < inPerGroup; ci++) {
                System.arraycopy(grouped, (o * inPerGroup + ci) * taps, dense, (o * in + firstInput + ci) * taps, taps);
            }
        }
        return Nd4j.create(dense, new long[] {out, in, ws[2], ws[3], ws[4]}, 'c');
    }

    /**
     * PyTorch's {@code AvgPool3d(kernel, stride, padding)} with its defaults (count_include_pad=True,
     * ceil_mode=False): the zero padding counts, so every window is divided by the full kernel volume.
     */
    public static INDArray avgPool3dCountingPadding(INDArray x, int[] kernel, int[] stride, int[] padding) {
        return pool(x, kernel, stride, padding, false);
    }

    /** PyTorch's {@code MaxPool3d(kernel, stride, padding)}: the maximum over the window's positions inside x. */
    public static INDArray maxPool3d(INDArray x, int[] kernel, int[] stride, int[] padding) {
        return pool(x, kernel, stride, padding, true);
    }

    private static INDArray pool(INDArray x, int[] kernel, int[] stride, int[] padding, boolean max) {
        int[] xs = dims(x, 5);
        int n = xs[0], c = xs[1], d = xs[2], h = xs[3], w = xs[4];
        int od = outputSize(d, kernel[0], stride[0], padding[0]);
        int oh = outputSize(h, kernel[1], stride[1], padding[1]);
        int ow = outputSize(w, kernel[2], stride[2], padding[2]);
        float[] in = floats(x);
        float[] y = new float[n * c * od * oh * ow];
        int volume = kernel[0] * kernel[1] * kernel[2];
        int i = 0;
        for (int plane = 0; plane < n * c; plane++) {
            for (int z = 0; z < od; z++) {
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; q < ow; q++) {
                        double sum = 0;
                        float maximum = Float.NEGATIVE_INFINITY;
                        for (int a = 0; a < kernel[0]; a++) {
                            int zi = z * stride[0] - padding[0] + a;
                            for (int e = 0; e < kernel[1]; e++) {
                                int ri = r * stride[1] - padding[1] + e;
                                for (int f = 0; f < kernel[2]; f++) {
                                    int qi = q * stride[2] - padding[2] + f;
                                    if (zi < 0 || zi >= d || ri < 0 || ri >= h || qi < 0 || qi >= w) {
                                        continue;
                                    }
                                    float v = in[((plane * d + zi) * h + ri) * w + qi];
                                    sum += v;
                                    maximum = Math.max(maximum, v);
                                }
                            }
                        }
                        y[i++] = max ? maximum : (float) (sum / volume);
                    }
                }
            }
        }
        return Nd4j.create(y, new long[] {n, c, od, oh, ow}, 'c');
    }

    private static int outputSize(int in, int kernel, int stride, int padding) {
        return Math.floorDiv(in + 2 * padding - kernel, stride) + 1;
    }

    private static int[] dims(INDArray array, int rank) {
        if (array.rank() != rank) {
            throw new IllegalArgumentException("expected rank " + rank + ", got " + Arrays.toString(array.shape()));
        }
        return Arrays.stream(array.shape()).mapToInt(Math::toIntExact).toArray();
    }

    // ---------------------------------------------------------------- assertions

    /** Same shape, and every element within {@code relativeTolerance} × the largest expected magnitude. */
    public static void assertClose(INDArray expected, INDArray actual, double relativeTolerance) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        float[] e = floats(expected);
        float[] a = floats(actual);
        double scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        double bound = relativeTolerance * Math.max(scale, Float.MIN_NORMAL);
        for (int i = 0; i < e.length; i++) {
            if (!(Math.abs(a[i] - e[i]) <= bound)) {
                fail("element " + i + " of " + Arrays.toString(expected.shape()) + ": expected " + e[i] + ", got "
                        + a[i] + " (tolerance " + bound + ")");
            }
        }
    }

    /** Same shape and bit-for-bit equal float values. */
    public static void assertSameValues(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertArrayEquals(floats(expected), floats(actual));
    }
}
