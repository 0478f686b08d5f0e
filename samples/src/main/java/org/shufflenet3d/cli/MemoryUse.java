package org.shufflenet3d.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import org.bytedeco.javacpp.Pointer;

/** Peak memory of this process so far: the JVM heap pools' peaks, and the most native memory JavaCPP held. */
record MemoryUse(double heapMegabytes, double offHeapMegabytes) {

    static MemoryUse peak() {
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        return new MemoryUse(heap / 1e6, Pointer.maxPhysicalBytes() > 0 ? peakPhysical() / 1e6 : 0);
    }

    private static long peakPhysical() {
        return Math.max(Pointer.physicalBytes(), Pointer.totalBytes());
    }
}
