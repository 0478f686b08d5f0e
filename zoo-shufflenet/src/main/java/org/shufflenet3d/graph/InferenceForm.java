package org.shufflenet3d.graph;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * The inference form: batch norm with the running statistics, which no gradient reaches; dropout the identity;
 * only ND4J's own ops, so that SameDiff runs and saves the graph, and differentiates it.
 */
public sealed class InferenceForm extends GraphForm permits FoldedForm {

    InferenceForm(SameDiff sd, ParameterSource source, DataType dataType) {
        super(sd, source, dataType);
    }

    @Override
    SDVariable conv3d(String module, Tensor x, SDVariable weight, long[] weightShape, int[] stride, int padding) {
        return sd.cnn.conv3d(uniqueName(module), x.variable(), ChannelsLast.toNd4jConvWeights(weight),
                conv3dConfig(weightShape, stride, padding).biasUsed(false).build());
    }

    @Override
    SDVariable batchNorm(String module, Tensor x, SDVariable gamma, SDVariable beta, SDVariable mean,
            SDVariable variance) {
        SDVariable scale = gamma.div(sd.math.sqrt(heldFixed(variance).add(BATCH_NORM_EPSILON)));
        SDVariable shift = beta.sub(heldFixed(mean).mul(scale));
        return x.variable().mul(scale).add(uniqueName(module), shift);
    }

    @Override
    SDVariable relu(String module, SDVariable x) {
        return sd.nn.relu(uniqueName(module), x, 0);
    }

    /** ND4J's reshape and permute of the [..., g, C/g] view. */
    @Override
    SDVariable channelShuffle(SDVariable x, long[] s, int groups) {
        SDVariable grouped = x.reshape(-1, s[1], s[2], s[3], groups, s[0] / groups);
        return grouped.permute(0, 1, 2, 3, 5, 4).reshape(-1, s[1], s[2], s[3], s[0]);
    }

    @Override
    SDVariable dropout(String module, SDVariable x, long features, double p) {
        return x;
    }

    /** The same values with no gradient flowing back: statistics that training must not move. */
    private SDVariable heldFixed(SDVariable statistic) {
        return new StopGradient(sd, statistic).outputVariable();
    }
}
