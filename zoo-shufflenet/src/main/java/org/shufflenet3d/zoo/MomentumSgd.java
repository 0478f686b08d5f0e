package org.shufflenet3d.zoo;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.shufflenet3d.InvalidConfigurationException;

/**
 * SGD with momentum as {@code torch.optim.SGD} defines it, as a DL4J updater: the momentum buffer starts as the
 * first gradient, then {@code buf = momentum·buf + (1 − dampening)·g}; the step is {@code lr·buf}, or
 * {@code lr·(g + momentum·buf)} with Nesterov. DL4J's own {@link org.nd4j.linalg.learning.config.Nesterovs} is
 * always Nesterov and has no dampening, so it cannot express the reference's optimiser; {@link #reference()} can.
 * It is the rule of the library's own {@link org.shufflenet3d.train.SgdOptimizer}, kept in DL4J's updater state.
 * PyTorch's {@code weight_decay} is not part of an updater in DL4J: it is L2 regularisation
 * ({@link org.nd4j.linalg.learning.regularization.L2Regularization}, applied to the gradient before the updater, as
 * PyTorch does), which the zoo builders set with {@code weightDecay}.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class MomentumSgd implements IUpdater {

    /** The reference's learning rate in its example scripts. */
    public static final double REFERENCE_LEARNING_RATE = 0.1;

    /** The reference's weight decay, the zoo builders' {@code weightDecay}. */
    public static final double REFERENCE_WEIGHT_DECAY = 1e-3;

    private double learningRate;
    private ISchedule learningRateSchedule;
    private final double momentum;
    private final double dampening;
    private final boolean nesterov;

    /** Without Nesterov: {@code torch.optim.SGD(lr, momentum, dampening)}. */
    public MomentumSgd(double learningRate, double momentum, double dampening) {
        this(learningRate, null, momentum, dampening, false);
    }

    /** A learning rate that follows {@code schedule} (by iteration or epoch, as the schedule says). */
    public MomentumSgd(ISchedule schedule, double momentum, double dampening) {
        this(Double.NaN, Objects.requireNonNull(schedule, "schedule"), momentum, dampening, false);
    }

    @JsonCreator
    private MomentumSgd(@JsonProperty("learningRate") double learningRate,
            @JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
            @JsonProperty("momentum") double momentum, @JsonProperty("dampening") double dampening,
            @JsonProperty("nesterov") boolean nesterov) {
        if (learningRateSchedule == null && !(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new InvalidConfigurationException("the learning rate must be positive and finite, got " + learningRate);
        }
        if (!(momentum > 0 && momentum < 1) || !(dampening >= 0 && dampening <= 1)) {
            throw new InvalidConfigurationException("momentum must be in (0, 1) and dampening in [0, 1], got momentum "
                    + momentum + ", dampening " + dampening + " (without momentum, use DL4J's Sgd)");
        }
        if (nesterov && dampening != 0) {
            throw new InvalidConfigurationException("Nesterov momentum requires zero dampening, got " + dampening);
        }
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
    }

    /**
     * The reference's optimiser without its weight decay: learning rate 0.1 (its example scripts'), momentum 0.9,
     * dampening 0.9, no Nesterov. Its weight decay of 1e-3 is the zoo builders' {@code weightDecay(1e-3)}.
     */
    public static MomentumSgd reference() {
        return reference(REFERENCE_LEARNING_RATE);
    }

    /** The reference's rule (momentum 0.9, dampening 0.9, no Nesterov) at {@code learningRate}. */
    public static MomentumSgd reference(double learningRate) {
        return new MomentumSgd(learningRate, 0.9, 0.9);
    }

    /** Nesterov momentum as PyTorch computes it ({@code nesterov=True}, no dampening). */
    public static MomentumSgd nesterov(double learningRate, double momentum) {
        return new MomentumSgd(learningRate, null, momentum, 0, true);
    }

    public double momentum() {
        return momentum;
    }

    public double dampening() {
        return dampening;
    }

    public boolean isNesterov() {
        return nesterov;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater updater = new Updater(this);
        INDArray flat = viewArray.reshape(viewArray.length());
        updater.setStateViewArray(flat, flat.shape(), flat.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater updater = new Updater(this);
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }

    @Override
    public MomentumSgd clone() {
        return new MomentumSgd(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(),
                momentum, dampening, nesterov);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MomentumSgd o && Double.compare(learningRate, o.learningRate) == 0
                && Objects.equals(learningRateSchedule, o.learningRateSchedule) && momentum == o.momentum
                && dampening == o.dampening && nesterov == o.nesterov;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, learningRateSchedule, momentum, dampening, nesterov);
    }

    @Override
    public String toString() {
        String lr = learningRateSchedule != null ? learningRateSchedule.toString() : String.valueOf(learningRate);
        return "MomentumSgd(learningRate=" + lr + ", momentum=" + momentum + ", dampening=" + dampening
                + (nesterov ? ", nesterov" : "") + ")";
    }

    /**
     * Applies the rule to a block of parameters' gradients; the momentum buffer is the state DL4J keeps, saves and
     * restores. A buffer that is still all zeros has not been stepped: its first step copies the gradient, as
     * PyTorch's does.
     */
    private static final class Updater implements GradientUpdater<MomentumSgd> {
        private static final String BUFFER = "momentum_buffer";

        private final MomentumSgd config;
        private INDArray buffer;
        private boolean started;

        Updater(MomentumSgd config) {
            this.config = config;
        }

        @Override
        public MomentumSgd getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            if (stateMap == null || stateMap.size() != 1 || !stateMap.containsKey(BUFFER)) {
                throw new IllegalStateException("MomentumSgd's state is one array, " + BUFFER + "; got keys "
                        + (stateMap == null ? null : stateMap.keySet()));
            }
            buffer = stateMap.get(BUFFER);
            if (initialize) {
                buffer.assign(0);
            }
            started = false;
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(BUFFER, buffer);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder,
                boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            buffer = viewArray.reshape(gradientOrder, gradientShape);
            started = false;
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            if (buffer == null) {
                throw new IllegalStateException("MomentumSgd's updater has no state array yet");
            }
            INDArray g = gradient.reshape(buffer.shape());
            if (!started) {
                started = buffer.neq(0).any();
            }
            if (started) {
                buffer.muli(config.momentum).addi(g.mul(1 - config.dampening));
            } else {
                buffer.assign(g);
                started = true;
            }
            double lr = config.getLearningRate(iteration, epoch);
            INDArray step = config.nesterov ? g.add(buffer.mul(config.momentum)).muli(lr) : buffer.mul(lr);
            gradient.assign(step.reshape(gradient.shape()));
        }
    }
}
