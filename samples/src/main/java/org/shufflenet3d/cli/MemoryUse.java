package org.shufflenet3d.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory of this process so far: its peak resident set (what PyTorch's {@code ru_maxrss} measures on the
 * reference side), and the JVM heap pools' peaks within it.
 */
record MemoryUse(double residentMegabytes, double heapMegabytes) {

    static MemoryUse peak() {
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        return new MemoryUse(peakResidentBytes() / 1e6, heap / 1e6);
    }

    /** VmHWM of /proc/self/status on Linux; elsewhere the current resident set, as JavaCPP reads it. */
    private static long peakResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: the current resident set below
        }
        return Pointer.physicalBytes();
    }
}
