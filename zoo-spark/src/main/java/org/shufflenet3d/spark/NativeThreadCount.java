package org.shufflenet3d.spark;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** How many threads ND4J's ops use in the calling thread. */
final class NativeThreadCount {

    private NativeThreadCount() {
    }

    /**
     * Runs the calling thread's ND4J ops on {@code threads} threads. ND4J 1.0.0-M2.1 computes on OpenMP, whose
     * thread count is kept per calling thread, and on its own master threads for some loops: both are set.
     */
    static void set(int threads) {
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    }
}
