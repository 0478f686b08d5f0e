package org.shufflenet3d.graph;

import java.util.Arrays;

/** One module of the reference network, by its state_dict prefix. Shapes exclude the batch dimension. */
public record LayerSummary(String name, String type, long[] outputShape, long parameters, long flops) {

    public String shapeText() {
        return Arrays.toString(outputShape);
    }
}
