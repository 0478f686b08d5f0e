package org.shufflenet3d.graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The folded inference form, run by a {@link GraphExecutor}: the inference form with each convolution and the batch
 * norm after it computed as one convolution with a bias ({@link FoldedConvolution}), from constants the caller
 * derives from the parameters whenever they change; the channel shuffle in one pass ({@link ChannelShuffle}). The
 * fastest form, with no gradient to the parameters.
 */
public final class FoldedForm extends InferenceForm {

    private final Map<String, FoldedConvolution> foldedByOutput = new LinkedHashMap<>();

    FoldedForm(SameDiff sd, ParameterSource source, DataType dataType) {
        super(sd, source, dataType);
    }

    /** The convolutions, each with the batch norm after it, in declaration order. */
    public List<FoldedConvolution> foldedConvolutions() {
        return List.copyOf(foldedByOutput.values());
    }

    @Override
    SDVariable conv3d(String module, Tensor x, SDVariable weight, long[] weightShape, int[] stride, int padding) {
        return fold(FoldedConvolution.conv3d(sd, uniqueName(module), module, x, weightShape,
                conv3dConfig(weightShape, stride, padding), dataType));
    }

    @Override
    SDVariable pointwiseConv(String module, Tensor x, SDVariable weight, int groups, long[] shape) {
        return fold(FoldedConvolution.pointwiseConv(sd, uniqueName(module), module, x, groups, shape, dataType));
    }

    @Override
    SDVariable depthwiseConv3d(String module, Tensor x, SDVariable weight, int stride, long[] shape) {
        return fold(FoldedConvolution.depthwiseConv3d(sd, uniqueName(module), module, x, stride, dataType));
    }

    /** Folded into the convolution whose output it normalises; the inference form's after anything else. */
    @Override
    SDVariable batchNorm(String module, Tensor x, SDVariable gamma, SDVariable beta, SDVariable mean,
            SDVariable variance) {
        FoldedConvolution convolution = foldedByOutput.get(x.variable().name());
        if (convolution == null) {
            return super.batchNorm(module, x, gamma, beta, mean, variance);
        }
        convolution.foldBatchNorm(module);
        return x.variable();
    }

    @Override
    SDVariable channelShuffle(SDVariable x, long[] shape, int groups) {
        return new ChannelShuffle(sd, x, shape[0], groups).outputVariable();
    }

    private SDVariable fold(FoldedConvolution convolution) {
        foldedByOutput.put(convolution.output().name(), convolution);
        return convolution.output();
    }
}
