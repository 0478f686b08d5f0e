package org.shufflenet3d.graph;

import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * Batch norm in training form on channels-last feature maps, as one op of the graph: normalised with the batch's
 * mean and biased variance over every axis but the last, then scaled and shifted. Outputs: the result, the batch
 * mean and biased variance (for the running statistics) and the inverse standard deviation (for the gradient). Its
 * gradient is one op too ({@link Gradient}), PyTorch's formula with x̂ = (x − μ)/σ:
 * dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy. Both are passes over the channel rows
 * ({@link ChannelRows}) in the maps' own type, the sums per block added up in double: SameDiff would differentiate
 * the same arithmetic through its broadcasting ops, whose gradients reduce strided columns several times slower, and
 * a dozen ND4J ops per batch norm cost more in calls than the arithmetic on the small maps of the later stages. Run
 * by {@link GraphExecutor}.
 */
final class TrainingBatchNorm extends JavaOp {

    private static final int OUTPUTS = 4;

    private final double epsilon;

    TrainingBatchNorm(SameDiff sd, SDVariable x, SDVariable gamma, SDVariable beta, double epsilon) {
        super(sd, OUTPUTS, x, gamma, beta);
        this.epsilon = epsilon;
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
        double[] mean = ChannelRows.forEachRange(rows, channels, 1, (first, last) -> {
            double[] sums = new double[channels];
            ChannelRows.Block block = x.newBlock();
            for (long r = first; r < last; r += x.blockRows()) {
                int count = (int) Math.min(x.blockRows(), last - r);
                x.read(r, count, block);
                addColumns(block, count * channels, channels, sums);
            }
            return sums;
        });
        for (int c = 0; c < channels; c++) {
            mean[c] /= rows;
        }
        float[] meanFloats = ChannelRows.floats(mean);
        double[] variance = ChannelRows.forEachRange(rows, channels, 1, (first, last) -> {
            double[] sums = new double[channels];
            ChannelRows.Block block = x.newBlock();
            for (long r = first; r < last; r += x.blockRows()) {
                int count = (int) Math.min(x.blockRows(), last - r);
                x.read(r, count, block);
                addCentredSquares(block, count * channels, channels, mean, meanFloats, sums);
            }
            return sums;
        });
        double[] inverseStd = new double[channels];
        for (int c = 0; c < channels; c++) {
            variance[c] /= rows;
            inverseStd[c] = 1 / Math.sqrt(variance[c] + epsilon);
        }
        ChannelRows.put(outputs[1], mean);
        ChannelRows.put(outputs[2], variance);
        ChannelRows.put(outputs[3], inverseStd);
        double[] gamma = ChannelRows.values(inputs[1]);
        double[] beta = ChannelRows.values(inputs[2]);
        double[] scale = new double[channels];
        double[] shift = new double[channels];
        for (int c = 0; c < channels; c++) {
            scale[c] = gamma[c] * inverseStd[c];
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        float[] scaleFloats = ChannelRows.floats(scale);
        float[] shiftFloats = ChannelRows.floats(shift);
        ChannelRows.forEachRange(rows, channels, 0, (first, last) -> {
            ChannelRows.Block block = x.newBlock();
            for (long r = first; r < last; r += x.blockRows()) {
                int count = (int) Math.min(x.blockRows(), last - r);
                x.read(r, count, block);
                normalize(block, count * channels, channels, scale, shift, scaleFloats, shiftFloats);
                y.write(r, count, block);
            }
            return null;
        });
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

    private static void addColumns(ChannelRows.Block block, int n, int channels, double[] sums) {
        if (block.floats != null) {
            float[] partial = new float[channels];
            for (int i = 0; i < n; i += channels) {
                for (int c = 0; c < channels; c++) {
                    partial[c] += block.floats[i + c];
                }
            }
            for (int c = 0; c < channels; c++) {
                sums[c] += partial[c];
            }
        } else {
            for (int i = 0; i < n; i += channels) {
                for (int c = 0; c < channels; c++) {
                    sums[c] += block.doubles[i + c];
                }
            }
        }
    }

    private static void addCentredSquares(ChannelRows.Block block, int n, int channels, double[] mean,
            float[] meanFloats, double[] sums) {
        if (block.floats != null) {
            float[] partial = new float[channels];
            for (int i = 0; i < n; i += channels) {
                for (int c = 0; c < channels; c++) {
                    float centred = block.floats[i + c] - meanFloats[c];
                    partial[c] += centred * centred;
                }
            }
            for (int c = 0; c < channels; c++) {
                sums[c] += partial[c];
            }
        } else {
            for (int i = 0; i < n; i += channels) {
                for (int c = 0; c < channels; c++) {
                    double centred = block.doubles[i + c] - mean[c];
                    sums[c] += centred * centred;
                }
            }
        }
    }

    private static void normalize(ChannelRows.Block block, int n, int channels, double[] scale, double[] shift,
            float[] scaleFloats, float[] shiftFloats) {
        if (block.floats != null) {
            for (int i = 0; i < n; i += channels) {
                for (int c = 0; c < channels; c++) {
                    block.floats[i + c] = block.floats[i + c] * scaleFloats[c] + shiftFloats[c];
                }
            }
        } else {
            for (int i = 0; i < n; i += channels) {
                for (int c = 0; c < channels; c++) {
                    block.doubles[i + c] = block.doubles[i + c] * scale[c] + shift[c];
                }
            }
        }
    }

    /** The gradient of {@link TrainingBatchNorm}: from dy, x, μ, γ and 1/σ, the gradients of x, γ and β. */
    static final class Gradient extends JavaOp {

        Gradient(SameDiff sd, SDVariable gradient, SDVariable x, SDVariable mean, SDVariable gamma,
                SDVariable inverseStd) {
            super(sd, 3, gradient, x, mean, gamma, inverseStd);
        }

        @Override
        public String opName() {
            return "shufflenet3d_training_batch_norm_bp";
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
            double[] scale = new double[channels];
            for (int c = 0; c < channels; c++) {
                scale[c] = gamma[c] * inverseStd[c];
            }
            float[] meanFloats = ChannelRows.floats(mean);
            double[] sums = ChannelRows.forEachRange(rows, channels, 2, (first, last) -> {
                double[] partial = new double[2 * channels];
                ChannelRows.Block gradient = dy.newBlock();
                ChannelRows.Block input = dy.newBlock();
                for (long r = first; r < last; r += dy.blockRows()) {
                    int count = (int) Math.min(dy.blockRows(), last - r);
                    dy.read(r, count, gradient);
                    x.read(r, count, input);
                    addGradientSums(gradient, input, count * channels, channels, mean, meanFloats, partial);
                }
                return partial;
            });
            double[] dBeta = Arrays.copyOfRange(sums, 0, channels);
            double[] dGamma = new double[channels];
            double[] slope = new double[channels];
            double[] offset = new double[channels];
            for (int c = 0; c < channels; c++) {
                dGamma[c] = sums[channels + c] * inverseStd[c];
                // dx = scale·(dy − dβ/M − x̂·dγ/M) with x̂ = (x − μ)/σ: scale·dy − slope·(x − μ) − offset
                slope[c] = scale[c] * dGamma[c] * inverseStd[c] / rows;
                offset[c] = scale[c] * dBeta[c] / rows;
            }
            double[][] coefficients = {scale, slope, offset, mean};
            float[][] floatCoefficients = {ChannelRows.floats(scale), ChannelRows.floats(slope),
                ChannelRows.floats(offset), meanFloats};
            ChannelRows.forEachRange(rows, channels, 0, (first, last) -> {
                ChannelRows.Block gradient = dy.newBlock();
                ChannelRows.Block input = dy.newBlock();
                for (long r = first; r < last; r += dy.blockRows()) {
                    int count = (int) Math.min(dy.blockRows(), last - r);
                    dy.read(r, count, gradient);
                    x.read(r, count, input);
                    inputGradient(gradient, input, count * channels, channels, coefficients, floatCoefficients);
                    dx.write(r, count, gradient);
                }
                return null;
            });
            ChannelRows.put(outputs[1], dGamma);
            ChannelRows.put(outputs[2], dBeta);
        }

        /** Σ dy and Σ dy·(x − μ) per channel. */
        private static void addGradientSums(ChannelRows.Block gradient, ChannelRows.Block input, int n, int channels,
                double[] mean, float[] meanFloats, double[] sums) {
            if (gradient.floats != null) {
                float[] partial = new float[2 * channels];
                for (int i = 0; i < n; i += channels) {
                    for (int c = 0; c < channels; c++) {
                        float g = gradient.floats[i + c];
                        partial[c] += g;
                        partial[channels + c] += g * (input.floats[i + c] - meanFloats[c]);
                    }
                }
                for (int c = 0; c < 2 * channels; c++) {
                    sums[c] += partial[c];
                }
            } else {
                for (int i = 0; i < n; i += channels) {
                    for (int c = 0; c < channels; c++) {
                        double g = gradient.doubles[i + c];
                        sums[c] += g;
                        sums[channels + c] += g * (input.doubles[i + c] - mean[c]);
                    }
                }
            }
        }

        /** dx = scale·dy − slope·(x − μ) − offset, into the gradient's block. */
        private static void inputGradient(ChannelRows.Block gradient, ChannelRows.Block input, int n, int channels,
                double[][] coefficients, float[][] floatCoefficients) {
            if (gradient.floats != null) {
                float[] scale = floatCoefficients[0];
                float[] slope = floatCoefficients[1];
                float[] offset = floatCoefficients[2];
                float[] mean = floatCoefficients[3];
                for (int i = 0; i < n; i += channels) {
                    for (int c = 0; c < channels; c++) {
                        gradient.floats[i + c] = scale[c] * gradient.floats[i + c]
                                - slope[c] * (input.floats[i + c] - mean[c]) - offset[c];
                    }
                }
            } else {
                double[] scale = coefficients[0];
                double[] slope = coefficients[1];
                double[] offset = coefficients[2];
                double[] mean = coefficients[3];
                for (int i = 0; i < n; i += channels) {
                    for (int c = 0; c < channels; c++) {
                        gradient.doubles[i + c] = scale[c] * gradient.doubles[i + c]
                                - slope[c] * (input.doubles[i + c] - mean[c]) - offset[c];
                    }
                }
            }
        }
    }
}
