package org.shufflenet3d.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training form, run by a {@link GraphExecutor}: batch norm with the batch's statistics (biased variance), which
 * it exposes so that the running statistics can be updated, and a gradient of its own ({@link TrainingBatchNorm});
 * ReLU's gradient from its output ({@link Relu}); the stem without its input's gradient
 * ({@link InputConvolution}); the channel shuffle in one pass ({@link ChannelShuffle}); dropout multiplies by a mask
 * the caller feeds.
 */
public final class TrainingForm extends GraphForm {

    /** PyTorch's BatchNorm3d default. */
    public static final double BATCH_NORM_MOMENTUM = 0.1;

    private final List<BatchStatistics> batchStatistics = new ArrayList<>();
    private final List<DropoutMask> dropoutMasks = new ArrayList<>();

    /** The statistics a batch norm computed from its batch, and how many values each channel saw. */
    public record BatchStatistics(String module, SDVariable mean, SDVariable biasedVariance, long valuesPerSample) {

        /**
         * Moves the running statistics among {@code parameters} (by state_dict name) towards a batch's, as PyTorch
         * does: momentum 0.1, the variance unbiased.
         */
        public void updateRunning(Map<String, INDArray> parameters, INDArray batchMean, INDArray batchBiasedVariance,
                long batchSize) {
            long count = batchSize * valuesPerSample;
            double unbiased = count > 1 ? (double) count / (count - 1) : 1.0;
            INDArray runningMean = parameters.get(module + ".running_mean").muli(1 - BATCH_NORM_MOMENTUM);
            Nd4j.getBlasWrapper().level1().axpy(batchMean.length(), BATCH_NORM_MOMENTUM, batchMean, runningMean);
            INDArray runningVariance = parameters.get(module + ".running_var").muli(1 - BATCH_NORM_MOMENTUM);
            Nd4j.getBlasWrapper().level1().axpy(batchMean.length(), BATCH_NORM_MOMENTUM * unbiased,
                    batchBiasedVariance, runningVariance);
        }
    }

    /** A dropout's mask placeholder [N, features]: 0, or 1/(1-p) for kept values. */
    public record DropoutMask(String placeholder, long features, double dropProbability) {
    }

    TrainingForm(SameDiff sd, ParameterSource source, DataType dataType) {
        super(sd, source, dataType);
    }

    /** The batch statistics of every batch norm, in declaration order. */
    public List<BatchStatistics> batchStatistics() {
        return batchStatistics;
    }

    /** The dropout masks to feed. */
    public List<DropoutMask> dropoutMasks() {
        return dropoutMasks;
    }

    @Override
    SDVariable conv3d(String module, Tensor x, SDVariable weight, long[] weightShape, int[] stride, int padding) {
        String name = uniqueName(module);
        return sd.updateVariableNameAndReference(new InputConvolution(sd, x.variable(),
                ChannelsLast.toNd4jConvWeights(weight), conv3dConfig(weightShape, stride, padding).biasUsed(false)
                        .build()).outputVariable(), name);
    }

    /** Normalised with the batch's mean and biased variance over (N, D, H, W). */
    @Override
    SDVariable batchNorm(String module, Tensor x, SDVariable gamma, SDVariable beta, SDVariable mean,
            SDVariable variance) {
        TrainingBatchNorm bn = new TrainingBatchNorm(sd, x.variable(), gamma, beta, BATCH_NORM_EPSILON);
        SDVariable y = sd.updateVariableNameAndReference(bn.output(), uniqueName(module));
        batchStatistics.add(new BatchStatistics(module, bn.mean(), bn.biasedVariance(), x.elements() / x.channels()));
        return y;
    }

    @Override
    SDVariable relu(String module, SDVariable x) {
        return sd.updateVariableNameAndReference(new Relu(sd, x).outputVariable(), uniqueName(module));
    }

    @Override
    SDVariable channelShuffle(SDVariable x, long[] shape, int groups) {
        return new ChannelShuffle(sd, x, shape[0], groups).outputVariable();
    }

    @Override
    SDVariable dropout(String module, SDVariable x, long features, double p) {
        if (!(p > 0)) {
            return x;
        }
        String placeholder = module + ".mask";
        SDVariable mask = sd.placeHolder(placeholder, dataType, -1, features);
        dropoutMasks.add(new DropoutMask(placeholder, features, p));
        return x.mul(mask);
    }
}
