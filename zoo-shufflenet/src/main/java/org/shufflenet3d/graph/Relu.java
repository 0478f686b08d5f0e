package org.shufflenet3d.graph;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;

/**
 * ReLU whose gradient is ND4J's {@code relu_bp} applied to the output (positive exactly where the input is), as
 * PyTorch's in-place ReLU computes it: several times faster than the {@code thresholdedrelu_bp} that ND4J's own
 * ReLU differentiates to, and the input need not be kept for the backward pass.
 */
final class Relu extends RectifiedLinear {

    Relu(SameDiff sd, SDVariable x) {
        super(sd, x, 0.0);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        RectifiedLinearDerivative derivative = new RectifiedLinearDerivative(sameDiff, outputVariable(),
                gradients.get(0));
        derivative.addTArgument(0.0);
        return List.of(derivative.outputVariable());
    }
}
