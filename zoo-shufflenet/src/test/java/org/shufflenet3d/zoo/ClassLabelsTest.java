package org.shufflenet3d.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.zoo.util.ClassPrediction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.video.ClipNormalization;

/** Class names of the reference's datasets, decoding predictions, and the checkpoints' input contracts. */
class ClassLabelsTest {

    @TempDir
    Path dir;

    @Test
    void theDatasetsClassNamesInTheReferencesOrder() {
        assertNames(ReferenceDataset.KINETICS_600, 600, "abseiling", "acting in play", "zumba");
        assertNames(ReferenceDataset.JESTER, 27, "Doing_other_things", "Drumming_Fingers",
                "Zooming_Out_With_Two_Fingers");
        assertNames(ReferenceDataset.UCF_101, 101, "ApplyEyeMakeup", "ApplyLipstick", "YoYo");
        assertEquals("passing American football (in game)", ReferenceDataset.KINETICS_600.labels().getLabel(308));
        assertEquals("massaging person's head", ReferenceDataset.KINETICS_600.labels().getLabel(287));
    }

    private static void assertNames(ReferenceDataset dataset, int count, String first, String second, String last) {
        List<String> names = dataset.labels().names();
        assertEquals(count, names.size(), dataset.toString());
        assertEquals(count, dataset.numClasses());
        assertEquals(List.of(first, second, last), List.of(names.get(0), names.get(1), names.get(count - 1)));
        assertEquals(count, names.stream().distinct().count());
        assertTrue(names.stream().allMatch(n -> n.equals(n.strip()) && !n.isEmpty()), dataset.toString());
    }

    @Test
    void decodePredictionsNamesTheTopClassesOfEachRow() {
        ClassLabels labels = new ClassLabels(List.of("a", "b", "c", "d"));
        List<List<ClassPrediction>> decoded = labels.decodePredictions(
                Nd4j.createFromArray(new float[][] {{0.1f, 0.6f, 0.1f, 0.2f}, {0.25f, 0.25f, 0.4f, 0.1f}}), 3);
        assertEquals(List.of("b", "d", "a"), decoded.get(0).stream().map(ClassPrediction::getLabel).toList());
        assertEquals(List.of(1, 3, 0), decoded.get(0).stream().map(ClassPrediction::getNumber).toList());
        assertEquals(0.6, decoded.get(0).get(0).getProbability(), 1e-6);
        assertEquals(List.of("c", "a", "b"), decoded.get(1).stream().map(ClassPrediction::getLabel).toList());
        assertEquals(4, labels.decodePredictions(Nd4j.createFromArray(0.1f, 0.2f, 0.3f, 0.4f), 10).get(0).size());
    }

    @Test
    void decodePredictionsRefusesAnotherClassCount() {
        ClassLabels labels = ReferenceDataset.JESTER.labels();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> labels.decodePredictions(Nd4j.rand(2, 600), 5));
        assertTrue(e.getMessage().contains("[batch, 27]") && e.getMessage().contains("[2, 600]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> labels.decodePredictions(Nd4j.rand(2, 27), 0));
        assertThrows(IndexOutOfBoundsException.class, () -> labels.getLabel(27));
    }

    @Test
    void labelsFromAClassIndexFileAndTheirRules() throws IOException {
        Path classInd = Files.writeString(dir.resolve("classInd.txt"), "1 walk\n2 run\n");
        assertEquals(List.of("walk", "run"), ClassLabels.read(classInd).names());
        assertThrows(InvalidConfigurationException.class, () -> new ClassLabels(List.of("a", "a")));
        assertThrows(InvalidConfigurationException.class, () -> new ClassLabels(List.of()));
        assertThrows(InvalidConfigurationException.class, () -> new ClassLabels(List.of("a", " ")));
    }

    @Test
    void eachCheckpointCarriesItsInputContract() {
        ReferenceCheckpoint kinetics = ReferenceCheckpoint.KINETICS_SHUFFLENETV2_1_0X;
        assertEquals(ReferenceDataset.KINETICS_600, kinetics.dataset());
        assertEquals(ClipShape.DEFAULT, kinetics.clipShape());
        assertEquals(ClipNormalization.ChannelOrder.BGR, kinetics.channelOrder());
        assertEquals(ClipNormalization.of(ClipNormalization.Mean.ACTIVITYNET, false, 1,
                ClipNormalization.ChannelOrder.BGR), kinetics.normalization());
        assertEquals(List.of(114.7748, 107.7354, 99.4750), kinetics.normalization().mean());
        assertEquals(1.0, kinetics.normalization().normValue());
        assertEquals(1, kinetics.downsample());
        assertEquals(600, kinetics.numClasses());
        assertEquals("abseiling", kinetics.labels().getLabel(0));
        assertEquals("3x16x112x112 BGR clips of 0-255 pixels minus the ActivityNet mean [114.7748, 107.7354, 99.475],"
                + " frame stride 1; 600 Kinetics-600 classes", kinetics.describeInputs());

        ReferenceCheckpoint jester = ReferenceCheckpoint.JESTER_SHUFFLENET_0_5X_G3;
        assertEquals(ReferenceDataset.JESTER, jester.dataset());
        assertEquals(ClipNormalization.ChannelOrder.RGB, jester.channelOrder());
        assertEquals(2, jester.downsample());
        assertEquals(27, jester.labels().size());
        for (ReferenceCheckpoint checkpoint : ReferenceCheckpoint.values()) {
            assertEquals(checkpoint.dataset().numClasses(), checkpoint.numClasses(), checkpoint.name());
        }
    }

    @Test
    void theKineticsCheckpointOfANetwork() {
        assertEquals(ReferenceCheckpoint.KINETICS_SHUFFLENET_1_5X_G3,
                ReferenceCheckpoint.find(ReferenceDataset.KINETICS_600, ShuffleNetConfig.v1(3, 1.5, 101)).orElseThrow());
        assertEquals(ReferenceCheckpoint.JESTER_SHUFFLENETV2_1_0X,
                ReferenceCheckpoint.find(ReferenceDataset.JESTER, ShuffleNetConfig.v2(1.0, 5)).orElseThrow());
        assertTrue(ReferenceCheckpoint.find(ReferenceDataset.KINETICS_600, ShuffleNetConfig.v2(0.5, 600)).isEmpty());
        assertTrue(ReferenceCheckpoint.find(ReferenceDataset.KINETICS_600, ShuffleNetConfig.v1(1, 1.0, 600)).isEmpty());
        assertTrue(ReferenceCheckpoint.find(ReferenceDataset.UCF_101, ShuffleNetConfig.v2(1.0, 101)).isEmpty());
    }
}
