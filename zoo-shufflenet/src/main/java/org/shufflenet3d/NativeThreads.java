package org.shufflenet3d;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How ND4J's native threads wait. ND4J's CPU backend runs its ops on OpenMP (libgomp), whose idle threads spin by
 * default: between the many short ops of a graph, oneDNN's spinning workers then keep ND4J's own pool from the
 * cores, and on a machine with other work each op waits for a thread that is not scheduled (a training step took
 * 8–30 s instead of under one on 2 cores). With {@code OMP_WAIT_POLICY=PASSIVE} idle threads sleep. libgomp reads
 * the variable once, when ND4J's native library loads, so it has to be in the process's environment before that:
 * {@link #preferPassiveWaiting()} puts it there when it is not set and the library is not loaded yet.
 */
public final class NativeThreads {

    static final String WAIT_POLICY = "OMP_WAIT_POLICY";
    private static final Logger LOG = LoggerFactory.getLogger(NativeThreads.class);
    private static Boolean passiveWaiting;

    private NativeThreads() {
    }

    /** The C library's {@code setenv}. */
    private interface C extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /**
     * Sets {@code OMP_WAIT_POLICY=PASSIVE} in this process's environment unless it is set already or ND4J's native
     * library (and with it OpenMP) is loaded. Returns whether idle OpenMP threads will sleep; when it is too late,
     * says so in the log with what to do instead. Call it before anything touches ND4J, as the command-line tool
     * does first thing; the library's entry points call it too.
     */
    public static synchronized boolean preferPassiveWaiting() {
        if (passiveWaiting == null) {
            passiveWaiting = decideWaitPolicy();
        }
        return passiveWaiting;
    }

    // the environment as Java sees it is a snapshot taken at start-up: setenv does not change it
    private static boolean decideWaitPolicy() {
        String policy = System.getenv(WAIT_POLICY);
        if (policy != null) {
            return policy.trim().equalsIgnoreCase("passive");
        }
        if (openMpLoaded()) {
            LOG.info("ND4J's native library was loaded before {} could be set, so its idle OpenMP threads spin;"
                    + " on a busy machine set {}=PASSIVE in the environment of the Java process", WAIT_POLICY,
                    WAIT_POLICY);
            return false;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (os.contains("win")) {
            return false;
        }
        try {
            C c = (C) Native.loadLibrary("c", C.class);
            return c.setenv(WAIT_POLICY, "PASSIVE", 0) == 0;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.debug("could not set {}: {}", WAIT_POLICY, e.toString());
            return false;
        }
    }

    /** Whether libgomp is mapped into this process (Linux); elsewhere, whether ND4J's backend was initialised. */
    private static boolean openMpLoaded() {
        Path maps = Path.of("/proc/self/maps");
        if (Files.isReadable(maps)) {
            try {
                return Files.readString(maps).contains("libgomp");
            } catch (IOException e) {
                return true;
            }
        }
        return true;
    }
}
