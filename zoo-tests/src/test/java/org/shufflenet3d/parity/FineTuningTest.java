package org.shufflenet3d.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.Networks;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.train.FineTuning;
import org.shufflenet3d.train.SgdOptimizer;
import org.shufflenet3d.train.TrainingSession;

/** Fine-tuning a reference checkpoint: a new classifier, then the whole network or only the classifier trains. */
class FineTuningTest {

    private static final ClipShape CLIP = new ClipShape(8, 32, 24);

    private static ShuffleNet3d pretrained() throws IOException {
        return ShuffleNet3d.fromWeights(ReferenceCase.DIRECTORY.resolve("v2_w0.25_full.reference.pth"), CLIP);
    }

    private static INDArray clips() {
        return SeededWeights.clip("fine-tuning", CLIP.batchShape(4), 1);
    }

    @Test
    void newClassifierKeepsEverythingElse() throws IOException {
        ShuffleNet3d reference = pretrained();
        ShuffleNet3d tuned = reference.withNewClassifier(3, 7);
        assertEquals(ShuffleNetConfig.v2(0.25, 3), tuned.config());
        Map<String, INDArray> before = reference.weights();
        tuned.weights().forEach((name, value) -> {
            if (name.startsWith(Networks.CLASSIFIER_PREFIX)) {
                assertEquals(3, value.size(0), name);
            } else {
                assertEquals(before.get(name), value, name);
            }
        });
    }

    @Test
    void lastLayerTrainsOnlyTheClassifierWithTheReferencesDropout() throws IOException {
        ShuffleNet3d model = pretrained().withNewClassifier(3, 7);
        Map<String, INDArray> before = model.weights();
        TrainingSession session = new TrainingSession(model, SgdOptimizer.reference(), FineTuning.LAST_LAYER, 0.9);
        Random random = new Random(3);
        for (int i = 0; i < 3; i++) {
            session.step(clips(), new int[] {0, 1, 2, 1}, 0.1, random);
        }
        model.weights().forEach((name, value) -> {
            if (name.startsWith(Networks.CLASSIFIER_PREFIX)) {
                assertNotEquals(before.get(name), value, name + " did not train");
            } else {
                assertEquals(before.get(name), value, name + " is not frozen");
            }
        });
    }

    @Test
    void completeTrainsEverythingAndUpdatesRunningStatistics() throws IOException {
        ShuffleNet3d model = pretrained().withNewClassifier(3, 7);
        Map<String, INDArray> before = model.weights();
        TrainingSession session = new TrainingSession(model, SgdOptimizer.reference(), FineTuning.COMPLETE, 0.2);
        session.step(clips(), new int[] {0, 1, 2, 1}, 0.01, new Random(3));
        Map<String, INDArray> after = model.weights();
        for (String name : new String[] {"conv1.0.weight", "features.7.banch2.3.weight", "conv_last.1.running_mean",
            "conv_last.1.running_var", "classifier.1.weight"}) {
            assertNotEquals(before.get(name), after.get(name), name);
        }
    }

    @Test
    void labelsOutOfRangeAndMismatchedBatchesAreRefused() throws IOException {
        TrainingSession session = new TrainingSession(pretrained(), SgdOptimizer.reference(), FineTuning.COMPLETE, 0.2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> session.step(clips(), new int[] {0, 1, 5, 1}, 0.01, new Random(3)));
        assertTrue(e.getMessage().contains("label 5 is out of range for 5 classes"), e.getMessage());
        assertThrows(InvalidClipException.class, () -> session.step(clips(), new int[] {0, 1}, 0.01, new Random(3)));
    }
}
