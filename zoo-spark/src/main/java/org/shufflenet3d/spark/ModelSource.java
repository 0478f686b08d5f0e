package org.shufflenet3d.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.broadcast.Broadcast;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;

/**
 * The weights a job runs with, as they travel to the executors: the file's bytes, broadcast once to each executor,
 * the file's name (whose extension tells the format) and the SHA-256 of the bytes, which names the model in
 * {@link ExecutorModels}.
 */
record ModelSource(String fileName, String sha256, Broadcast<byte[]> bytes, int frames, int size)
        implements Serializable {

    /** What {@link ExecutorModels} keeps the loaded network under: the weights and the clip geometry. */
    String key() {
        return sha256 + "@" + frames + "x" + size + "x" + size;
    }

    ClipShape clipShape() {
        return new ClipShape(frames, size, size);
    }

    /** Builds the network from the weights: they are written to a temporary file for the library to read. */
    ShuffleNet3d load() throws IOException {
        return load(bytes.value(), fileName, clipShape());
    }

    /** The network that {@code weights}, the content of a file named {@code fileName}, hold, for {@code clip}. */
    static ShuffleNet3d load(byte[] weights, String fileName, ClipShape clip) throws IOException {
        Path file = Files.createTempFile("shufflenet3d-weights-", "-" + fileName);
        try {
            Files.write(file, weights);
            return ShuffleNet3d.fromWeights(file, clip);
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
