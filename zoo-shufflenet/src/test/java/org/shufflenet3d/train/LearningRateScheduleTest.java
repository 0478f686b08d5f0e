package org.shufflenet3d.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.shufflenet3d.InvalidConfigurationException;

/** Learning rates epoch by epoch against torch.optim.lr_scheduler (expected values computed by PyTorch 1.13). */
class LearningRateScheduleTest {

    private static double[] rates(LearningRateSchedule schedule, double[] losses) {
        double[] rates = new double[losses.length + 1];
        for (int i = 0; i < losses.length; i++) {
            rates[i] = schedule.learningRate();
            schedule.epochEnded(losses[i]);
        }
        rates[losses.length] = schedule.learningRate();
        return rates;
    }

    @Test
    void multiStepLikeMultiStepLR() {
        double[] rates = rates(LearningRateSchedule.multiStep(0.1, new int[] {2, 4}, 0.5), new double[5]);
        assertArrayEquals(new double[] {0.1, 0.1, 0.05, 0.05, 0.025, 0.025}, rates, 1e-12);
    }

    @Test
    void reduceOnPlateauLikeReduceLROnPlateau() {
        // ReduceLROnPlateau('min', factor=0.1, patience=2, threshold=1e-4, cooldown=1, min_lr=1e-4)
        double[] losses = {1.0, 0.9, 0.95, 0.9, 0.91, 0.89999, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99};
        double[] expected = {0.1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.001, 1e-4, 1e-4};
        assertArrayEquals(expected, rates(LearningRateSchedule.reduceOnPlateau(0.1, 0.1, 2, 1e-4, 1, 1e-4), losses),
                1e-12);
    }

    @Test
    void restoredStateContinuesTheSame() {
        double[] losses = {1.0, 0.9, 0.95, 0.96, 0.97};
        LearningRateSchedule original = LearningRateSchedule.reduceOnPlateau(0.1, 0.5, 1, 1e-4, 0, 0);
        LearningRateSchedule copy = LearningRateSchedule.reduceOnPlateau(0.1, 0.5, 1, 1e-4, 0, 0);
        for (int i = 0; i < 3; i++) {
            original.epochEnded(losses[i]);
        }
        copy.restore(original.state());
        for (int i = 3; i < losses.length; i++) {
            original.epochEnded(losses[i]);
            copy.epochEnded(losses[i]);
        }
        assertArrayEquals(new double[] {original.learningRate()}, new double[] {copy.learningRate()});
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(InvalidConfigurationException.class, () -> LearningRateSchedule.constant(0));
        assertThrows(InvalidConfigurationException.class,
                () -> LearningRateSchedule.reduceOnPlateau(0.1, 1.5, 10, 1e-4, 0, 0));
    }
}
