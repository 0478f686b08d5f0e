package org.shufflenet3d;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipFile;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.graph.FlatGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.io.FlatBufferChecks;
import org.shufflenet3d.io.InputFiles;
import org.shufflenet3d.io.MalformedFileException;
import org.shufflenet3d.io.NumpyFiles;
import org.shufflenet3d.io.TorchCheckpoint;
import org.shufflenet3d.io.ZipArchives;

/**
 * Weights files of every kind this library reads, told apart by content: PyTorch checkpoints (legacy and zip),
 * .npz archives of state_dict arrays, and models saved in SameDiff's format ({@code .sd} or {@code .fb}).
 */
public final class WeightFiles {

    static final String EXPECTED = "a PyTorch checkpoint (.pth), an .npz of state_dict arrays or a saved model (.sd)";

    /** A file's state_dict, the architecture it names (PyTorch checkpoints may), and where it came from. */
    public record Weights(Map<String, INDArray> stateDict, Optional<Architecture> architecture, Path source) {

        /** The configuration the weights were made for, from their shapes. */
        public ShuffleNetConfig config() {
            ShuffleNetConfig inferred = StateDicts.inferConfig(stateDict).orElseThrow(() ->
                    new WeightMismatchException(source + ": these weights are not a 3D ShuffleNet the reference"
                            + " defines (no V1 or V2 layout recognised); give --arch, --width, --groups, --classes"));
            architecture.filter(arch -> arch != inferred.architecture()).ifPresent(arch -> {
                throw new WeightMismatchException(source + " says it is a " + arch.referenceName()
                        + " checkpoint but holds " + inferred.describe());
            });
            return inferred;
        }
    }

    private WeightFiles() {
    }

    /**
     * The weights in a file of any kind this library reads, told apart once: by the name for saved models, else by
     * the first bytes (a zip archive is a PyTorch checkpoint when it holds {@code data.pkl}, else an .npz).
     */
    public static Weights read(Path file) throws IOException {
        InputFiles.require(file);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".sd") || name.endsWith(".fb")) {
            return new Weights(variables(readSameDiff(file)), Optional.empty(), file);
        }
        byte[] head = new byte[2];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 2) < 2) {
                throw new MalformedFileException(file + ": empty or truncated; expected " + EXPECTED);
            }
        }
        if (head[0] == 'P' && head[1] == 'K') {
            return isTorchZip(file) ? fromCheckpoint(TorchCheckpoint.readZip(file), file)
                    : new Weights(NumpyFiles.readNpz(file), Optional.empty(), file);
        }
        if ((head[0] & 0xff) == 0x80) {
            return fromCheckpoint(TorchCheckpoint.readLegacy(file), file);
        }
        throw new MalformedFileException(file + ": not a weights file; expected " + EXPECTED);
    }

    private static Weights fromCheckpoint(TorchCheckpoint checkpoint, Path file) {
        Optional<Architecture> arch = Optional.empty();
        if (checkpoint.arch().isPresent()) {
            try {
                arch = Optional.of(Architecture.fromReferenceName(checkpoint.arch().get()));
            } catch (InvalidConfigurationException e) {
                throw new WeightMismatchException(file + ": a checkpoint of architecture '" + checkpoint.arch().get()
                        + "', not shufflenet or shufflenetv2");
            }
        }
        return new Weights(checkpoint.stateDict(), arch, file);
    }

    /** A graph saved in SameDiff's format. */
    public static SameDiff readSameDiff(Path file) throws IOException {
        InputFiles.require(file);
        byte[] bytes = Files.readAllBytes(file);
        try {
            FlatBufferChecks.check(FlatGraph.getRootAsFlatGraph(ByteBuffer.wrap(bytes)), bytes.length);
            return SameDiff.fromFlatBuffers(ByteBuffer.wrap(bytes), false);
        } catch (RuntimeException e) {
            throw new MalformedFileException(file + ": not a readable SameDiff model (" + rootCause(e)
                    + "); expected a model saved by this library (.sd)", e);
        }
    }

    /** What went wrong at the bottom of {@code e}'s causes: the innermost message, or the innermost kind of error. */
    public static String rootCause(Throwable e) {
        Throwable innermost = e;
        String message = null;
        Throwable cause = e;
        for (int depth = 0; cause != null && depth < 32; depth++, cause = cause.getCause()) {
            innermost = cause;
            if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
                message = cause.getMessage();
            }
        }
        return message != null ? message : innermost.getClass().getSimpleName();
    }

    /** A graph's trainable variables and batch-norm statistics by name. */
    static Map<String, INDArray> variables(SameDiff sd) {
        Map<String, INDArray> values = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && v.getArr() != null) {
                values.put(v.name(), v.getArr());
            }
        }
        return values;
    }

    private static boolean isTorchZip(Path file) throws IOException {
        try (ZipFile zip = ZipArchives.open(file, EXPECTED)) {
            return zip.stream().anyMatch(e -> e.getName().endsWith("data.pkl"));
        }
    }
}
