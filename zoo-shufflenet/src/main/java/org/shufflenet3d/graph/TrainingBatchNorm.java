package org.shufflenet3d.graph;

import java.util.Collections;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * Batch norm in training form on channels-last feature maps, as one op of the graph: normalised with the batch's
 * mean and biased variance over every axis but the last, then scaled and shifted. Outputs: the result, the batch
 * mean and biased variance (for the running statistics) and the inverse standard deviation (for the gradient). Its
 * gradient is one op too ({@link Gradient}), PyTorch's formula with x̂ = (x − μ)/σ:
 * dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy. Both are two passes over the channel rows
 * ({@link ChannelRows}), accumulating in double: SameDiff would differentiate the same arithmetic through its
 * broadcasting ops, whose gradients reduce strided columns several times slower, and a dozen ND4J ops per batch
 * norm cost more in calls than the arithmetic on the small feature maps of the later stages. Run by
 * {@link GraphExecutor}.
 */
final class TrainingBatchNorm extends DynamicCustomOp implements GraphExecutor.JavaOp {

    private static final int OUTPUTS = 4;

    private final double epsilon;

    TrainingBatchNorm(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta, double epsilon) {
        super(sd, new SDVariable[] {x, gamma, beta});
        this.epsilon = epsilon;
        outputVariables();
    }

    SDVariable output() {
        return outputVariables()[0];
    }

    SDVariable mean() {
        return outputVariables()[1];
    }

    SDVariable biasedVariance() {
        return outputVariables()[2];
    }

    @Override
    public String opName() {
        return "shufflenet3d_training_batch_norm";
    }

    @Override
    public int getNumOutputs() {
        return OUTPUTS;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> inputTypes) {
        return Collections.nCopies(OUTPUTS, inputTypes.get(0));
    }

    @Override
    public List<LongShapeDescriptor> outputShapes(INDArray[] inputs) {
        LongShapeDescriptor perChannel = perChannel(inputs[0]);
        return List.of(LongShapeDescriptor.fromShape(inputs[0].shape(), inputs[0].dataType()), perChannel,
                perChannel, perChannel);
    }

    @Override
    public void execute(INDArray[] inputs, INDArray[] outputs) {
        ChannelRows x = ChannelRows.reading(inputs[0]);
        ChannelRows y = ChannelRows.writing(outputs[0]);
        int channels = x.channels();
        long rows = x.rows();
        double[] gamma = ChannelRows.values(inputs[1]);
        double[] beta = ChannelRows.values(inputs[2]);
        double[] sums = ChannelRows.forEachRange(rows, channels, 2, (first, last) -> {
            double[] partial = new double[2 * channels];
            ChannelRows.Block block = x.newBlock();
            for (long r = first; r < last; r += x.blockRows()) {
                int count = (int) Math.min(x.blockRows(), last - r);
                x.read(r, count, block);
                for (int i = 0, n = count * channels; i < n; i += channels) {
                    for (int c = 0; c < channels; c++) {
                        double value = block.values[i + c];
                        partial[c] += value;
                        partial[channels + c] += value * value;
                    }
                }
            }
            return partial;
        });
        double[] mean = new double[channels];
        double[] variance = new double[channels];
        double[] inverseStd = new double[channels];
        double[] shift = new double[channels];
        double[] scale = new double[channels];
        for (int c = 0; c < channels; c++) {
            mean[c] = sums[c] / rows;
            variance[c] = Math.max(0, sums[channels + c] / rows - mean[c] * mean[c]);
            inverseStd[c] = 1 / Math.sqrt(variance[c] + epsilon);
            scale[c] = gamma[c] * inverseStd[c];
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        ChannelRows.forEachRange(rows, channels, 0, (first, last) -> {
            ChannelRows.Block block = x.newBlock();
            for (long r = first; r < last; r += x.blockRows()) {
                int count = (int) Math.min(x.blockRows(), last - r);
                x.read(r, count, block);
                for (int i = 0, n = count * channels; i < n; i += channels) {
                    for (int c = 0; c < channels; c++) {
                        block.values[i + c] = block.values[i + c] * scale[c] + shift[c];
                    }
                }
                y.write(r, count, block);
            }
            return null;
        });
        ChannelRows.put(outputs[1], mean);
        ChannelRows.put(outputs[2], variance);
        ChannelRows.put(outputs[3], inverseStd);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable[] outputs = outputVariables();
        return List.of(new Gradient(sameDiff, gradients.get(0), arg(0), outputs[1], arg(1), outputs[3])
                .outputVariables());
    }

    private static LongShapeDescriptor perChannel(INDArray map) {
        return LongShapeDescriptor.fromShape(new long[] {map.size(map.rank() - 1)}, map.dataType());
    }

    /** The gradient of {@link TrainingBatchNorm}: from dy, x, μ, γ and 1/σ, the gradients of x, γ and β. */
    static final class Gradient extends DynamicCustomOp implements GraphExecutor.JavaOp {

        Gradient(SameDiff sd, SDVariable gradient, SDVariable x, SDVariable mean, SDVariable gamma,
                SDVariable inverseStd) {
            super(sd, new SDVariable[] {gradient, x, mean, gamma, inverseStd});
            outputVariables();
        }

        @Override
        public String opName() {
            return "shufflenet3d_training_batch_norm_bp";
        }

        @Override
        public int getNumOutputs() {
            return 3;
        }

        @Override
        public List<DataType> calculateOutputDataTypes(List<DataType> inputTypes) {
            return Collections.nCopies(3, inputTypes.get(0));
        }

        @Override
        public List<LongShapeDescriptor> outputShapes(INDArray[] inputs) {
            LongShapeDescriptor perChannel = perChannel(inputs[0]);
            return List.of(LongShapeDescriptor.fromShape(inputs[0].shape(), inputs[0].dataType()), perChannel,
                    perChannel);
        }

        @Override
        public void execute(INDArray[] inputs, INDArray[] outputs) {
            ChannelRows dy = ChannelRows.reading(inputs[0]);
            ChannelRows x = ChannelRows.reading(inputs[1]);
            ChannelRows dx = ChannelRows.writing(outputs[0]);
            int channels = dy.channels();
            long rows = dy.rows();
            double[] mean = ChannelRows.values(inputs[2]);
            double[] gamma = ChannelRows.values(inputs[3]);
            double[] inverseStd = ChannelRows.values(inputs[4]);
            double[] sums = ChannelRows.forEachRange(rows, channels, 2, (first, last) -> {
                double[] partial = new double[2 * channels];
                ChannelRows.Block gradient = dy.newBlock();
                ChannelRows.Block input = dy.newBlock();
                for (long r = first; r < last; r += dy.blockRows()) {
                    int count = (int) Math.min(dy.blockRows(), last - r);
                    dy.read(r, count, gradient);
                    x.read(r, count, input);
                    for (int i = 0, n = count * channels; i < n; i += channels) {
                        for (int c = 0; c < channels; c++) {
                            partial[c] += gradient.values[i + c];
                            partial[channels + c] += gradient.values[i + c] * (input.values[i + c] - mean[c]);
                        }
                    }
                }
                return partial;
            });
            double[] dBeta = new double[channels];
            double[] dGamma = new double[channels];
            double[] scale = new double[channels];
            double[] offset = new double[channels];
            double[] slope = new double[channels];
            for (int c = 0; c < channels; c++) {
                dBeta[c] = sums[c];
                dGamma[c] = sums[channels + c] * inverseStd[c];
                scale[c] = gamma[c] * inverseStd[c];
                // dx = scale·(dy − dβ/M − x̂·dγ/M) with x̂ = (x − μ)/σ: scale·dy − slope·(x − μ) − offset
                slope[c] = scale[c] * dGamma[c] * inverseStd[c] / rows;
                offset[c] = scale[c] * dBeta[c] / rows;
            }
            ChannelRows.forEachRange(rows, channels, 0, (first, last) -> {
                ChannelRows.Block gradient = dy.newBlock();
                ChannelRows.Block input = dy.newBlock();
                for (long r = first; r < last; r += dy.blockRows()) {
                    int count = (int) Math.min(dy.blockRows(), last - r);
                    dy.read(r, count, gradient);
                    x.read(r, count, input);
                    for (int i = 0, n = count * channels; i < n; i += channels) {
                        for (int c = 0; c < channels; c++) {
                            gradient.values[i + c] = scale[c] * gradient.values[i + c]
                                    - slope[c] * (input.values[i + c] - mean[c]) - offset[c];
                        }
                    }
                    dx.write(r, count, gradient);
                }
                return null;
            });
            ChannelRows.put(outputs[1], dGamma);
            ChannelRows.put(outputs[2], dBeta);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            throw new UnsupportedOperationException("batch norm's gradient is not differentiated again");
        }
    }
}
