package org.shufflenet3d.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.WeightFiles;
import org.shufflenet3d.WeightMismatchException;
import org.shufflenet3d.io.MalformedFileException;
import org.shufflenet3d.io.NumpyFiles;

/** Every weights format, told apart by content, gives the same network; saved models give identical outputs. */
class WeightFilesTest {

    private static final ClipShape V1_CLIP = new ClipShape(16, 34, 33);

    @TempDir
    Path dir;

    private static Map<String, INDArray> fixture() throws IOException {
        return NumpyFiles.readNpz(ReferenceCase.DIRECTORY.resolve("v1_g3_w0.25_full.npz"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"v1_g3_w0.25_full.reference.pth", "v1_g3_w0.25_full.zip.pth",
        "v1_g3_w0.25_full.weights.npz"})
    void everyFormatGivesTheSameNetwork(String file) throws IOException {
        ShuffleNet3d model = ShuffleNet3d.fromWeights(ReferenceCase.DIRECTORY.resolve(file), V1_CLIP);
        assertEquals(ShuffleNetConfig.v1(3, 0.25, 5), model.config());
        INDArray expected = fixture().get("logits");
        double error = expected.sub(model.output(fixture().get("input"))).amaxNumber().doubleValue();
        assertTrue(error <= 1e-4 * Math.max(1, expected.amaxNumber().doubleValue()), "max |Δ| " + error);
    }

    @Test
    void savedModelGivesBitIdenticalOutputs() throws IOException {
        ShuffleNet3d model = ShuffleNet3d.fromWeights(
                ReferenceCase.DIRECTORY.resolve("v1_g3_w0.25_full.reference.pth"), V1_CLIP);
        Path saved = dir.resolve("model.sd");
        model.save(saved);
        ShuffleNet3d loaded = ShuffleNet3d.load(saved);
        assertEquals(model.config(), loaded.config());
        assertEquals(model.clipShape(), loaded.clipShape());
        assertEquals(model.summary().totalParameters(), loaded.summary().totalParameters());
        INDArray clips = fixture().get("input");
        assertEquals(model.output(clips), loaded.output(clips));
        assertEquals(model.probabilities(clips), loaded.probabilities(clips));

        ShuffleNet3d viaWeights = ShuffleNet3d.fromWeights(saved, V1_CLIP);
        assertEquals(model.output(clips), viaWeights.output(clips));
    }

    @Test
    void npzRoundTripIsExact() throws IOException {
        ShuffleNet3d model = ShuffleNet3d.fromWeights(ReferenceCase.DIRECTORY.resolve("v1_g3_w0.25_full.zip.pth"),
                V1_CLIP);
        Path npz = dir.resolve("weights.npz");
        model.saveWeights(npz);
        ShuffleNet3d copy = ShuffleNet3d.create(model.config(), V1_CLIP);
        copy.loadWeights(npz);
        assertEquals(model.weights(), copy.weights());
    }

    @Test
    void checkpointOfTheOtherArchitectureIsRefusedByName() {
        ShuffleNet3d v1 = ShuffleNet3d.create(ShuffleNetConfig.v1(3, 0.25, 5), V1_CLIP);
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> v1.loadWeights(ReferenceCase.DIRECTORY.resolve("v2_w0.25_full.reference.pth")));
        assertTrue(e.getMessage().contains("holds a shufflenetv2 checkpoint; the network is shufflenet 0.25x g=3"),
                e.getMessage());
    }

    @Test
    void filesThatAreNotWeightsAreRefused() throws IOException {
        Path text = Files.writeString(dir.resolve("weights.pth"), "hello");
        MalformedFileException e = assertThrows(MalformedFileException.class, () -> WeightFiles.read(text));
        assertTrue(e.getMessage().contains("not a weights file"), e.getMessage());
        Path notAModel = Files.writeString(dir.resolve("model.sd"), "not a graph");
        assertThrows(MalformedFileException.class, () -> ShuffleNet3d.load(notAModel));
        assertThrows(NoSuchFileException.class, () -> WeightFiles.read(dir.resolve("absent.pth")));
        Path unrelated = dir.resolve("unrelated.npz");
        NumpyFiles.writeNpz(unrelated, Map.of("x", fixture().get("logits")));
        WeightMismatchException unknown = assertThrows(WeightMismatchException.class,
                () -> ShuffleNet3d.fromWeights(unrelated, V1_CLIP));
        assertTrue(unknown.getMessage().contains("not a 3D ShuffleNet"), unknown.getMessage());
    }
}
