package org.shufflenet3d.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.shufflenet3d.ShuffleNet3d;

/**
 * The network of the current job, loaded once per JVM (an executor, or the driver in local mode) and shared by its
 * tasks: {@link ShuffleNet3d}'s outputs may be computed by several threads at once. One model is kept: a job with
 * other weights or another clip geometry replaces it.
 */
final class ExecutorModels {

    private static String key;
    private static ShuffleNet3d model;

    private ExecutorModels() {
    }

    /** The network {@code source} describes, loaded by the first task that asks for it in this JVM. */
    static synchronized ShuffleNet3d get(ModelSource source) {
        if (!source.key().equals(key)) {
            model = null;
            try {
                model = source.load();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the weights " + source.fileName() + " on this executor: "
                        + e.getMessage(), e);
            }
            key = source.key();
        }
        return model;
    }

    /** Keeps {@code loaded}, built from {@code source}'s weights, so that tasks in this JVM use it as it is. */
    static synchronized void put(ModelSource source, ShuffleNet3d loaded) {
        key = source.key();
        model = loaded;
    }
}
