package org.shufflenet3d.train;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.shufflenet3d.InvalidConfigurationException;

/**
 * {@code torch.optim.Adam} (without amsgrad): {@code g = grad + weight_decay·p}, first and second moments with
 * bias correction, {@code p −= lr/(1 − β1ᵗ) · m / (√v/√(1 − β2ᵗ) + ε)}.
 */
public final class AdamOptimizer implements Optimizer {

    private static final String FIRST = "exp_avg/";
    private static final String SECOND = "exp_avg_sq/";
    private static final String STEPS = "step";

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final Map<String, INDArray> first = new HashMap<>();
    private final Map<String, INDArray> second = new HashMap<>();
    private long steps;

    public AdamOptimizer(double beta1, double beta2, double epsilon, double weightDecay) {
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && epsilon > 0 && weightDecay >= 0)) {
            throw new InvalidConfigurationException("Adam needs 0 <= beta1, beta2 < 1, epsilon > 0 and weight decay >= 0");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public static AdamOptimizer defaults() {
        return new AdamOptimizer(0.9, 0.999, 1e-8, 0);
    }

    @Override
    public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients, double lr) {
        steps++;
        double stepSize = lr / (1 - Math.pow(beta1, steps));
        double secondCorrection = Math.sqrt(1 - Math.pow(beta2, steps));
        gradients.forEach((name, gradient) -> {
            INDArray p = parameters.get(name);
            INDArray g = gradient;
            if (weightDecay != 0) {
                SgdOptimizer.axpy(weightDecay, p, g);
            }
            INDArray m = first.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            INDArray v = second.computeIfAbsent(name, k -> Nd4j.zeros(p.dataType(), p.shape()));
            SgdOptimizer.axpy(1 - beta1, g, m.muli(beta1));
            SgdOptimizer.axpy(1 - beta2, g.muli(g), v.muli(beta2));
            INDArray denominator = Transforms.sqrt(v, true).divi(secondCorrection).addi(epsilon);
            p.subi(denominator.rdivi(m).muli(stepSize));
        });
    }

    @Override
    public Map<String, INDArray> state() {
        Map<String, INDArray> state = new HashMap<>();
        first.forEach((name, value) -> state.put(FIRST + name, value.dup()));
        second.forEach((name, value) -> state.put(SECOND + name, value.dup()));
        state.put(STEPS, Nd4j.scalar((double) steps));
        return state;
    }

    @Override
    public void restore(Map<String, INDArray> state) {
        first.clear();
        second.clear();
        state.forEach((key, value) -> {
            if (key.startsWith(FIRST)) {
                first.put(key.substring(FIRST.length()), value.dup());
            } else if (key.startsWith(SECOND)) {
                second.put(key.substring(SECOND.length()), value.dup());
            }
        });
        steps = state.containsKey(STEPS) ? state.get(STEPS).getLong(0) : 0;
    }
}
