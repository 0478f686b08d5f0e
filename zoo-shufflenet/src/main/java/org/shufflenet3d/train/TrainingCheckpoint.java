package org.shufflenet3d.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.shufflenet3d.Architecture;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.io.AtomicFiles;
import org.shufflenet3d.io.MalformedFileException;
import org.shufflenet3d.io.NumpyFiles;
import org.shufflenet3d.io.ZipArchives;

/**
 * Everything training needs to go on where it stopped: the network's configuration and weights (batch-norm
 * statistics included), the optimiser's and the schedule's state, the last finished epoch and the best validation
 * accuracy. A zip of {@code state.json} and .npy arrays, always written through a temporary file.
 *
 * @param epoch the number of epochs finished
 */
public record TrainingCheckpoint(ShuffleNetConfig config, ClipShape clip, int epoch, double bestAccuracy,
        Map<String, INDArray> weights, Map<String, INDArray> optimizerState, Map<String, Double> scheduleState) {

    private static final String STATE = "state.json";
    private static final String WEIGHTS = "weights/";
    private static final String OPTIMIZER = "optimizer/";
    private static final String FORMAT = "shufflenet3d-training-checkpoint-1";
    private static final int MAX_STATE_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    public void write(Path file) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("format", FORMAT);
        state.put("arch", config.architecture().referenceName());
        state.put("width", config.widthMultiplier());
        state.put("groups", config.groups());
        state.put("classes", config.numClasses());
        state.put("frames", clip.frames());
        state.put("height", clip.height());
        state.put("width_px", clip.width());
        state.put("epoch", epoch);
        state.put("best_accuracy", bestAccuracy);
        state.put("schedule", scheduleState);
        byte[] json = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state);
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            zip.putNextEntry(new ZipEntry(STATE));
            zip.write(json);
            zip.closeEntry();
            writeArrays(zip, WEIGHTS, weights);
            writeArrays(zip, OPTIMIZER, optimizerState);
            zip.finish();
        });
    }

    private static void writeArrays(ZipOutputStream zip, String prefix, Map<String, INDArray> arrays)
            throws IOException {
        for (Map.Entry<String, INDArray> e : arrays.entrySet()) {
            zip.putNextEntry(new ZipEntry(prefix + e.getKey() + ".npy"));
            zip.write(NumpyFiles.toNpy(e.getValue()));
            zip.closeEntry();
        }
    }

    public static TrainingCheckpoint read(Path file) throws IOException {
        try (ZipFile zip = ZipArchives.open(file, "a training checkpoint (.ckpt)")) {
            ZipEntry stateEntry = zip.getEntry(STATE);
            if (stateEntry == null) {
                throw new MalformedFileException(file + ": not a training checkpoint (no " + STATE + ")");
            }
            Map<String, Object> state;
            try (InputStream in = zip.getInputStream(stateEntry)) {
                byte[] json = in.readNBytes(MAX_STATE_BYTES + 1);
                if (json.length > MAX_STATE_BYTES) {
                    throw new MalformedFileException(file + ": its " + STATE + " is larger than " + MAX_STATE_BYTES
                            + " bytes; expected a training checkpoint");
                }
                state = JSON.readValue(new String(json, StandardCharsets.UTF_8),
                        new TypeReference<Map<String, Object>>() { });
            }
            if (!FORMAT.equals(state.get("format"))) {
                throw new MalformedFileException(file + ": not a training checkpoint of this version (format "
                        + state.get("format") + ")");
            }
            Map<String, INDArray> weights = new LinkedHashMap<>();
            Map<String, INDArray> optimizer = new LinkedHashMap<>();
            long budget = 2 * NumpyFiles.MAX_ELEMENTS;
            for (ZipEntry entry : zip.stream().toList()) {
                String name = entry.getName();
                Map<String, INDArray> target = name.startsWith(WEIGHTS) ? weights
                        : name.startsWith(OPTIMIZER) ? optimizer : null;
                if (target != null && name.endsWith(".npy")) {
                    String prefix = target == weights ? WEIGHTS : OPTIMIZER;
                    INDArray array;
                    try (InputStream in = zip.getInputStream(entry)) {
                        array = NumpyFiles.readNpy(in, file + ":" + name, Math.min(budget, NumpyFiles.MAX_ELEMENTS),
                                entry.getSize());
                    }
                    budget -= array.length();
                    target.put(name.substring(prefix.length(), name.length() - 4), array);
                }
            }
            Map<String, Double> schedule = new LinkedHashMap<>();
            if (state.get("schedule") instanceof Map<?, ?> entries) {
                for (Map.Entry<?, ?> entry : entries.entrySet()) {
                    if (!(entry.getValue() instanceof Number value)) {
                        throw new MalformedFileException(file + ": schedule state '" + entry.getKey() + "' is "
                                + entry.getValue() + "; expected a number");
                    }
                    schedule.put(String.valueOf(entry.getKey()), value.doubleValue());
                }
            }
            if (!(state.get("arch") instanceof String arch)) {
                throw new MalformedFileException(file + ": training checkpoint state names no architecture");
            }
            ShuffleNetConfig config = new ShuffleNetConfig(Architecture.fromReferenceName(arch),
                    number(state, "width").doubleValue(), integer(state, "groups"), integer(state, "classes"));
            ClipShape clip = new ClipShape(integer(state, "frames"), integer(state, "height"),
                    integer(state, "width_px"));
            return new TrainingCheckpoint(config, clip, integer(state, "epoch"),
                    number(state, "best_accuracy").doubleValue(), weights, optimizer, schedule);
        } catch (ZipException | java.io.EOFException | org.nd4j.shade.jackson.core.JsonProcessingException
                | IllegalArgumentException e) {
            throw new MalformedFileException(file + ": not a readable training checkpoint (" + e.getMessage() + ")",
                    e);
        }
    }

    private static int integer(Map<String, Object> state, String key) throws MalformedFileException {
        if (state.get(key) instanceof Number n && (n instanceof Integer || n instanceof Long && n.longValue() >= 0
                && n.longValue() <= Integer.MAX_VALUE)) {
            return n.intValue();
        }
        throw new MalformedFileException("training checkpoint state has no integer '" + key + "' (found "
                + state.get(key) + ")");
    }

    private static Number number(Map<String, Object> state, String key) throws MalformedFileException {
        if (state.get(key) instanceof Number n) {
            return n;
        }
        throw new MalformedFileException("training checkpoint state has no number '" + key + "'");
    }
}
