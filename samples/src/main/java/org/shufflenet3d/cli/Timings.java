package org.shufflenet3d.cli;

import java.util.Arrays;

/** Wall-clock times of repeated runs, in milliseconds, after warm-up runs that are not counted. */
public record Timings(double[] millis) {

    public static Timings measure(Runnable run, int warmups, int runs) {
        for (int i = 0; i < warmups; i++) {
            run.run();
        }
        double[] millis = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            run.run();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return new Timings(millis);
    }

    public double median() {
        int n = millis.length;
        return n % 2 == 1 ? millis[n / 2] : (millis[n / 2 - 1] + millis[n / 2]) / 2;
    }

    public double min() {
        return millis[0];
    }

    public double max() {
        return millis[millis.length - 1];
    }
}
