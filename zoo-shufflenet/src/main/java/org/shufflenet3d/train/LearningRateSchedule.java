package org.shufflenet3d.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.shufflenet3d.InvalidConfigurationException;

/** The learning rate over epochs, as torch.optim.lr_scheduler defines it; its state goes into checkpoints. */
public interface LearningRateSchedule {

    /** The rate for the coming epoch. */
    double learningRate();

    /** Called after each epoch with its validation loss (the training loss when there is no validation set). */
    void epochEnded(double loss);

    Map<String, Double> state();

    void restore(Map<String, Double> state);

    static LearningRateSchedule constant(double learningRate) {
        return multiStep(learningRate, new int[0], 1.0);
    }

    /** {@code MultiStepLR}: multiplied by {@code gamma} at each milestone epoch. */
    static LearningRateSchedule multiStep(double base, int[] milestones, double gamma) {
        return new MultiStep(base, milestones, gamma);
    }

    /** {@code ReduceLROnPlateau} in 'min' mode with a relative threshold, as the reference steps it. */
    static LearningRateSchedule reduceOnPlateau(double base, double factor, int patience, double threshold,
            int cooldown, double minimum) {
        return new ReduceOnPlateau(base, factor, patience, threshold, cooldown, minimum);
    }

    /** The reference's: ReduceLROnPlateau('min', patience 10), factor 0.1, threshold 1e-4. */
    static LearningRateSchedule reference(double base) {
        return reduceOnPlateau(base, 0.1, 10, 1e-4, 0, 0);
    }

    final class MultiStep implements LearningRateSchedule {
        private final double base;
        private final int[] milestones;
        private final double gamma;
        private int epochs;

        MultiStep(double base, int[] milestones, double gamma) {
            if (!(base > 0) || !(gamma > 0)) {
                throw new InvalidConfigurationException("learning rate and gamma must be positive");
            }
            this.base = base;
            this.milestones = milestones.clone();
            this.gamma = gamma;
        }

        @Override
        public double learningRate() {
            long passed = Arrays.stream(milestones).filter(m -> m <= epochs).count();
            return base * Math.pow(gamma, passed);
        }

        @Override
        public void epochEnded(double loss) {
            epochs++;
        }

        @Override
        public Map<String, Double> state() {
            return Map.of("epochs", (double) epochs);
        }

        @Override
        public void restore(Map<String, Double> state) {
            epochs = state.getOrDefault("epochs", 0.0).intValue();
        }
    }

    final class ReduceOnPlateau implements LearningRateSchedule {
        private static final double EPSILON = 1e-8;
        private final double factor;
        private final int patience;
        private final double threshold;
        private final int cooldown;
        private final double minimum;
        private double rate;
        private double best = Double.POSITIVE_INFINITY;
        private int badEpochs;
        private int cooldownLeft;

        ReduceOnPlateau(double base, double factor, int patience, double threshold, int cooldown, double minimum) {
            if (!(base > 0) || !(factor > 0 && factor < 1) || patience < 0 || threshold < 0 || cooldown < 0) {
                throw new InvalidConfigurationException("reduce-on-plateau needs a positive rate, 0 < factor < 1 and"
                        + " non-negative patience, threshold and cooldown");
            }
            this.rate = base;
            this.factor = factor;
            this.patience = patience;
            this.threshold = threshold;
            this.cooldown = cooldown;
            this.minimum = minimum;
        }

        @Override
        public double learningRate() {
            return rate;
        }

        @Override
        public void epochEnded(double loss) {
            if (loss < best * (1 - threshold)) {
                best = loss;
                badEpochs = 0;
            } else {
                badEpochs++;
            }
            if (cooldownLeft > 0) {
                cooldownLeft--;
                badEpochs = 0;
            }
            if (badEpochs > patience) {
                double reduced = Math.max(rate * factor, minimum);
                if (rate - reduced > EPSILON) {
                    rate = reduced;
                }
                cooldownLeft = cooldown;
                badEpochs = 0;
            }
        }

        @Override
        public Map<String, Double> state() {
            Map<String, Double> state = new LinkedHashMap<>();
            state.put("rate", rate);
            state.put("best", best);
            state.put("badEpochs", (double) badEpochs);
            state.put("cooldownLeft", (double) cooldownLeft);
            return state;
        }

        @Override
        public void restore(Map<String, Double> state) {
            rate = state.getOrDefault("rate", rate);
            best = state.getOrDefault("best", Double.POSITIVE_INFINITY);
            badEpochs = state.getOrDefault("badEpochs", 0.0).intValue();
            cooldownLeft = state.getOrDefault("cooldownLeft", 0.0).intValue();
        }
    }
}
