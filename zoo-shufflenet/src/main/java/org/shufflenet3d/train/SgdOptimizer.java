package org.shufflenet3d.train;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.InvalidConfigurationException;

/**
 * {@code torch.optim.SGD}: {@code g = grad + weight_decay·p}; with momentum, {@code buf = g} at the first step and
 * {@code buf = momentum·buf + (1 − dampening)·g} after, {@code g = g + momentum·buf} with Nesterov or {@code buf}
 * without; then {@code p −= lr·g}. The reference trains with momentum 0.9, dampening 0.9, weight decay 1e-3.
 */
public final class SgdOptimizer implements Optimizer {

    private static final String BUFFER = "momentum_buffer/";

    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;
    private final Map<String, INDArray> buffers = new HashMap<>();

    public SgdOptimizer(double momentum, double dampening, double weightDecay, boolean nesterov) {
        if (momentum < 0 || dampening < 0 || weightDecay < 0) {
            throw new InvalidConfigurationException("SGD momentum, dampening and weight decay must be non-negative");
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new InvalidConfigurationException("Nesterov momentum requires a momentum and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    /** The reference's settings: momentum 0.9, dampening 0.9, weight decay 1e-3, no Nesterov. */
    public static SgdOptimizer reference() {
        return new SgdOptimizer(0.9, 0.9, 1e-3, false);
    }

    @Override
    public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients, double lr) {
        gradients.forEach((name, gradient) -> {
            INDArray p = parameters.get(name);
            INDArray g = gradient;
            if (weightDecay != 0) {
                axpy(weightDecay, p, g);
            }
            if (momentum != 0) {
                INDArray buffer = buffers.get(name);
                if (buffer == null) {
                    buffer = g.dup();
                    buffers.put(name, buffer);
                } else {
                    axpy(1 - dampening, g, buffer.muli(momentum));
                }
                if (nesterov) {
                    axpy(momentum, buffer, g);
                } else {
                    g = buffer;
                }
            }
            axpy(-lr, g, p);
        });
    }

    /** y += a·x, in place. */
    static void axpy(double a, INDArray x, INDArray y) {
        Nd4j.getBlasWrapper().level1().axpy(x.length(), a, x, y);
    }

    @Override
    public Map<String, INDArray> state() {
        Map<String, INDArray> state = new HashMap<>();
        buffers.forEach((name, buffer) -> state.put(BUFFER + name, buffer.dup()));
        return state;
    }

    @Override
    public void restore(Map<String, INDArray> state) {
        buffers.clear();
        state.forEach((key, value) -> {
            if (key.startsWith(BUFFER)) {
                buffers.put(key.substring(BUFFER.length()), value.dup());
            }
        });
    }
}
