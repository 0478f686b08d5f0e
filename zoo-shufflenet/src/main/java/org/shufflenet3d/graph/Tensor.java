package org.shufflenet3d.graph;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A graph value with its per-sample shape (the batch dimension left out): [C, D, H, W] for feature maps,
 * [F] for vectors. The builder computes shapes as it declares ops, which is what the summary reports; a declaration
 * without a graph ({@link ShapesOnly}) gives the shapes alone, with no variable.
 */
public record Tensor(SDVariable variable, long... shape) {

    public long channels() {
        return shape[0];
    }

    public long elements() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }
}
