package org.shufflenet3d.parity;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fixtures' convolution and linear weights and training clips, regenerated bit for bit as {@code seeded_tensor}
 * and {@code seeded_clip} in {@code src/test/python/generate_fixtures.py} make them (SplitMix64 keyed by FNV-1a of
 * the name), so the committed fixtures need not hold millions of values.
 */
final class SeededWeights {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long MIX1 = 0xBF58476D1CE4E5B9L;
    private static final long MIX2 = 0x94D049BB133111EBL;
    private static final double[] ACTIVITYNET_MEAN = {114.7748, 107.7354, 99.4750};

    private SeededWeights() {
    }

    /** Whether the generator seeds this entry rather than storing it: conv and linear weights. */
    static boolean isSeeded(String name, long[] shape) {
        return name.endsWith(".weight") && shape.length >= 2;
    }

    /** Values in [-1/sqrt(fan_in), 1/sqrt(fan_in)), C order of the PyTorch shape. */
    static INDArray generate(String name, long[] shape, long caseSeed) {
        double[] u = uniform(name, count(shape), caseSeed);
        double bound = Math.sqrt(count(shape) / shape[0]);
        float[] values = new float[u.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((2.0 * u[i] - 1.0) / bound);
        }
        return Nd4j.create(values, shape, 'c');
    }

    /** {@code seeded_clip}: integer pixels floor(256·u) minus the ActivityNet mean of their channel. */
    static INDArray clip(String name, long[] shape, long seed) {
        double[] u = uniform(name, count(shape), seed);
        long perChannel = shape[2] * shape[3] * shape[4];
        float[] values = new float[u.length];
        for (int i = 0; i < values.length; i++) {
            int channel = (int) (i / perChannel % 3);
            values[i] = (float) (Math.floor(256.0 * u[i]) - ACTIVITYNET_MEAN[channel]);
        }
        return Nd4j.create(values, shape, 'c');
    }

    /** SplitMix64 keyed by the name's FNV-1a hash and the seed, 24 bits per value. */
    private static double[] uniform(String name, long count, long seed) {
        long state = fnv1a64(name) + seed * GOLDEN;
        double[] values = new double[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            long z = state + (i + 1L) * GOLDEN;
            z = (z ^ (z >>> 30)) * MIX1;
            z = (z ^ (z >>> 27)) * MIX2;
            z ^= z >>> 31;
            values[i] = (z >>> 40) * 0x1p-24;
        }
        return values;
    }

    private static long count(long[] shape) {
        long count = 1;
        for (long s : shape) {
            count *= s;
        }
        return count;
    }

    private static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
