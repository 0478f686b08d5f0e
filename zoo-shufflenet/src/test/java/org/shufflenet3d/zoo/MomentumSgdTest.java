package org.shufflenet3d.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.shufflenet3d.InvalidConfigurationException;

/**
 * MomentumSgd as DL4J runs an updater (L2 regularisation on the gradient, then the updater, then params -= update)
 * against torch.optim.SGD: the same parameters, gradients and expected values as the library's OptimizerTest
 * (torch.optim in float64, learning rate 0.1).
 */
class MomentumSgdTest {

    private static final float[][] GRADIENTS = {{0.3f, -0.1f, 2f}, {-0.5f, 0.4f, 1f}, {0.2f, 0.2f, -3f}};

    private static float[] steps(MomentumSgd config, double weightDecay, INDArray state, boolean initialize,
            int first, int count, INDArray params) {
        GradientUpdater<?> updater = config.instantiate(state, initialize);
        L2Regularization l2 = new L2Regularization(weightDecay);
        for (int i = first; i < first + count; i++) {
            INDArray gradient = Nd4j.createFromArray(GRADIENTS[i]).reshape(1, 3);
            l2.apply(params, gradient, 0.1, i, 0);
            updater.applyUpdater(gradient, i, 0);
            params.subi(gradient);
        }
        return params.toFloatVector();
    }

    private static INDArray initialParams() {
        return Nd4j.createFromArray(1f, -2f, 0.5f).reshape(1, 3);
    }

    @Test
    void theReferencesSgdWithItsWeightDecayEqualsTorch() {
        assertArrayEquals(new float[] {0.925901093897f, -1.981900347799f, -0.03114229807f},
                steps(MomentumSgd.reference(), 1e-3, Nd4j.zeros(1, 3), true, 0, 3, initialParams()), 1e-6f);
    }

    @Test
    void nesterovEqualsTorch() {
        assertArrayEquals(new float[] {0.986423135371f, -2.095898313692f, 0.109601678771f},
                steps(MomentumSgd.nesterov(0.1, 0.9), 1e-2, Nd4j.zeros(1, 3), true, 0, 3, initialParams()), 1e-6f);
    }

    @Test
    void anUpdaterOverSavedStateContinuesWithoutRestarting() {
        INDArray state = Nd4j.zeros(1, 3);
        INDArray params = initialParams();
        steps(MomentumSgd.reference(), 1e-3, state, true, 0, 1, params);
        float[] resumed = steps(MomentumSgd.reference(), 1e-3, state, false, 1, 2, params);
        assertArrayEquals(new float[] {0.925901093897f, -1.981900347799f, -0.03114229807f}, resumed, 1e-6f);
    }

    @Test
    void survivesDl4jsJsonConfiguration() {
        for (MomentumSgd updater : new MomentumSgd[] {MomentumSgd.reference(), MomentumSgd.nesterov(0.05, 0.8),
            new MomentumSgd(new StepSchedule(ScheduleType.EPOCH, 0.1, 0.1, 30), 0.9, 0.9)}) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(updater).list()
                    .layer(new OutputLayer.Builder().nIn(3).nOut(2).build()).build();
            MultiLayerConfiguration read = MultiLayerConfiguration.fromJson(conf.toJson());
            assertEquals(updater, ((BaseLayer) read.getConf(0).getLayer()).getIUpdater());
        }
    }

    @Test
    void refusesSettingsTorchRefuses() {
        assertThrows(InvalidConfigurationException.class, () -> new MomentumSgd(0.1, 0, 0));
        assertThrows(InvalidConfigurationException.class, () -> new MomentumSgd(0.1, 0.9, 1.5));
        assertThrows(InvalidConfigurationException.class, () -> new MomentumSgd(-0.1, 0.9, 0.9));
        assertThrows(InvalidConfigurationException.class, () -> MomentumSgd.nesterov(0.1, 1.0));
    }
}
