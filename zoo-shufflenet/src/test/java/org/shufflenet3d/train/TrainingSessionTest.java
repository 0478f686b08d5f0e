package org.shufflenet3d.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ReferenceOps;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;

/** The training step's loss where the logits are far apart. */
class TrainingSessionTest {

    private static final ClipShape CLIP = new ClipShape(4, 16, 16);

    /**
     * A classifier's bias of ±200 makes the logits hundreds apart: the wrong classes' probabilities underflow
     * in float32, and a log-softmax computed as the log of the softmax gave −∞ there and a NaN loss. The loss must be
     * the cross-entropy computed from the logits in double, and a correct, confident prediction must cost nothing.
     */
    @Test
    void aConfidentModelsLossIsFinite() {
        ShuffleNet3d model = ShuffleNet3d.create(ShuffleNetConfig.v2(0.25, 3), CLIP, 4);
        model.liveParameters().get("classifier.1.bias").assign(Nd4j.createFromArray(-200f, 0f, 200f));
        model.parametersChanged();
        INDArray clips = ReferenceOps.uniform(5, -100, 100, CLIP.batchShape(2));
        TrainingSession session = new TrainingSession(model, SgdOptimizer.reference(), FineTuning.COMPLETE, 0.0);

        TrainingSession.StepResult confident = session.step(clips, new int[] {2, 2}, 0.0, new Random(1));
        TrainingSession.StepResult mistaken = session.step(clips, new int[] {0, 1}, 0.0, new Random(1));

        assertTrue(Double.isFinite(confident.loss()) && confident.loss() >= 0 && confident.loss() < 1e-3,
                "loss " + confident.loss());
        double[][] logits = mistaken.logits().castTo(DataType.DOUBLE).toDoubleMatrix();
        double expected = (Evaluator.logSumExp(logits[0]) - logits[0][0]
                + Evaluator.logSumExp(logits[1]) - logits[1][1]) / 2;
        assertTrue(expected > 250, "the wrong labels' loss is large: " + expected);
        assertEquals(expected, mistaken.loss(), 1e-5 * expected);
    }

    @Test
    void oneHotHasAOneAtEachLabel() {
        INDArray oneHot = TrainingGraph.oneHot(new int[] {2, 0}, 3);
        assertEquals(Nd4j.createFromArray(new float[][] {{0, 0, 1}, {1, 0, 0}}), oneHot);
    }
}
