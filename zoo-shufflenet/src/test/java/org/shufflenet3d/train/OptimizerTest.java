package org.shufflenet3d.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.InvalidConfigurationException;

/**
 * The update rules against torch.optim: parameters [1, -2, 0.5], gradients [0.3, -0.1, 2], [-0.5, 0.4, 1],
 * [0.2, 0.2, -3], learning rate 0.1; expected values computed by torch.optim in float64.
 */
class OptimizerTest {

    private static final float[][] GRADIENTS = {{0.3f, -0.1f, 2f}, {-0.5f, 0.4f, 1f}, {0.2f, 0.2f, -3f}};

    private static float[] threeSteps(Optimizer optimizer) {
        Map<String, INDArray> params = new HashMap<>(Map.of("w", Nd4j.createFromArray(1f, -2f, 0.5f)));
        for (float[] g : GRADIENTS) {
            optimizer.step(params, Map.of("w", Nd4j.createFromArray(g)), 0.1);
        }
        return params.get("w").toFloatVector();
    }

    @Test
    void sgdWithTheReferencesMomentumDampeningAndWeightDecay() {
        assertArrayEquals(new float[] {0.925901093897f, -1.981900347799f, -0.03114229807f},
                threeSteps(SgdOptimizer.reference()), 1e-6f);
    }

    @Test
    void sgdWithNesterov() {
        assertArrayEquals(new float[] {0.986423135371f, -2.095898313692f, 0.109601678771f},
                threeSteps(new SgdOptimizer(0.9, 0, 1e-2, true)), 1e-6f);
    }

    @Test
    void plainSgd() {
        assertArrayEquals(new float[] {1.0f, -2.05f, 0.5f}, threeSteps(new SgdOptimizer(0, 0, 0, false)), 1e-6f);
    }

    @Test
    void adamWithWeightDecay() {
        assertArrayEquals(new float[] {0.925258994589f, -2.012999092749f, 0.314772056677f},
                threeSteps(new AdamOptimizer(0.9, 0.999, 1e-8, 1e-2)), 1e-6f);
    }

    @Test
    void stateRestoredContinuesExactly() {
        for (Optimizer[] pair : new Optimizer[][] {{SgdOptimizer.reference(), SgdOptimizer.reference()},
                {new AdamOptimizer(0.9, 0.999, 1e-8, 1e-2), new AdamOptimizer(0.9, 0.999, 1e-8, 1e-2)}}) {
            Map<String, INDArray> params = new HashMap<>(Map.of("w", Nd4j.createFromArray(1f, -2f, 0.5f)));
            pair[0].step(params, Map.of("w", Nd4j.createFromArray(GRADIENTS[0])), 0.1);
            pair[1].restore(pair[0].state());
            Map<String, INDArray> copy = new HashMap<>(Map.of("w", params.get("w").dup()));
            pair[0].step(params, Map.of("w", Nd4j.createFromArray(GRADIENTS[1])), 0.1);
            pair[1].step(copy, Map.of("w", Nd4j.createFromArray(GRADIENTS[1])), 0.1);
            assertArrayEquals(params.get("w").toFloatVector(), copy.get("w").toFloatVector());
        }
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(InvalidConfigurationException.class, () -> new SgdOptimizer(0.9, 0.9, 0, true));
        assertThrows(InvalidConfigurationException.class, () -> new SgdOptimizer(-0.1, 0, 0, false));
        assertThrows(InvalidConfigurationException.class, () -> new AdamOptimizer(1.0, 0.999, 1e-8, 0));
    }
}
