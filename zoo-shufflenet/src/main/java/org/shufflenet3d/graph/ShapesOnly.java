package org.shufflenet3d.graph;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;

/**
 * A declaration without a graph: the layers give tensors with shapes and no variables, and the builder keeps the
 * parameters' names, kinds and shapes, the layers' summary and, when it has a generator, the parameters' initial
 * values, drawn in declaration order as {@link NetworkBuilder#newVariables} draws them.
 */
public final class ShapesOnly extends NetworkBuilder {

    private final Random random;
    private final Map<String, INDArray> initialWeights = new LinkedHashMap<>();

    ShapesOnly(Random random, DataType dataType) {
        super(dataType);
        this.random = random;
    }

    /** The parameters' initial values by state_dict name, in declaration order (none without a generator). */
    public Map<String, INDArray> initialWeights() {
        return initialWeights;
    }

    @Override
    SDVariable parameter(String name, long[] shape, Initialization initialization) {
        if (random != null) {
            initialWeights.put(name, initialization.draw(random));
        }
        return null;
    }

    @Override
    SDVariable clips(String name, long channels, long frames, long height, long width) {
        return null;
    }

    @Override
    SDVariable conv3d(String module, Tensor x, SDVariable weight, long[] weightShape, int[] stride, int padding) {
        return null;
    }

    @Override
    SDVariable pointwiseConv(String module, Tensor x, SDVariable weight, int groups, long[] shape) {
        return null;
    }

    @Override
    SDVariable depthwiseConv3d(String module, Tensor x, SDVariable weight, int stride, long[] shape) {
        return null;
    }

    @Override
    SDVariable batchNorm(String module, Tensor x, SDVariable gamma, SDVariable beta, SDVariable mean,
            SDVariable variance) {
        return null;
    }

    @Override
    SDVariable relu(String module, SDVariable x) {
        return null;
    }

    @Override
    SDVariable maxPool3d(String module, SDVariable x) {
        return null;
    }

    @Override
    SDVariable shortcutAvgPool3d(String module, SDVariable x) {
        return null;
    }

    @Override
    SDVariable channelShuffle(SDVariable x, long[] shape, int groups) {
        return null;
    }

    @Override
    SDVariable[] channelGroups(Tensor x, int groups) {
        return new SDVariable[groups];
    }

    @Override
    SDVariable concatChannels(SDVariable first, SDVariable second) {
        return null;
    }

    @Override
    SDVariable interleaveChannels(SDVariable first, SDVariable second, long[] shape) {
        return null;
    }

    @Override
    SDVariable add(SDVariable a, SDVariable b) {
        return null;
    }

    @Override
    SDVariable globalAveragePool(SDVariable x) {
        return null;
    }

    @Override
    SDVariable dropout(String module, SDVariable x, long features, double p) {
        return null;
    }

    @Override
    SDVariable linear(String module, SDVariable x, SDVariable weight, SDVariable bias) {
        return null;
    }
}
