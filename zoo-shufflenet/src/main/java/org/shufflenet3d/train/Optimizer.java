package org.shufflenet3d.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An update rule exactly as {@code torch.optim} defines it, with its state kept per parameter name. */
public interface Optimizer {

    /**
     * Updates {@code parameters} in place from {@code gradients} (of the loss) at learning rate {@code lr}. The
     * gradients' arrays are the caller's scratch: an optimiser may overwrite them, and must copy what it keeps.
     */
    void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients, double lr);

    /** The state to checkpoint, by key. */
    Map<String, INDArray> state();

    /** Restores what {@link #state()} gave. */
    void restore(Map<String, INDArray> state);
}
