package org.shufflenet3d.parity;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fixtures' convolution and linear weights, regenerated bit for bit as {@code seeded_tensor} in
 * {@code src/test/python/generate_fixtures.py} makes them (SplitMix64 keyed by FNV-1a of the name), so the
 * committed fixtures need not hold millions of weights.
 */
final class SeededWeights {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long MIX1 = 0xBF58476D1CE4E5B9L;
    private static final long MIX2 = 0x94D049BB133111EBL;

    private SeededWeights() {
    }

    /** Whether the generator seeds this entry rather than storing it: conv and linear weights. */
    static boolean isSeeded(String name, long[] shape) {
        return name.endsWith(".weight") && shape.length >= 2;
    }

    /** Values in [-1/sqrt(fan_in), 1/sqrt(fan_in)), C order of the PyTorch shape. */
    static INDArray generate(String name, long[] shape, long caseSeed) {
        long count = 1;
        for (long s : shape) {
            count *= s;
        }
        double bound = Math.sqrt(count / shape[0]);
        long state = fnv1a64(name) + caseSeed * GOLDEN;
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            long z = state + (i + 1L) * GOLDEN;
            z = (z ^ (z >>> 30)) * MIX1;
            z = (z ^ (z >>> 27)) * MIX2;
            z ^= z >>> 31;
            double u = (z >>> 40) * 0x1p-24;
            values[i] = (float) ((2.0 * u - 1.0) / bound);
        }
        return Nd4j.create(values, shape, 'c');
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
