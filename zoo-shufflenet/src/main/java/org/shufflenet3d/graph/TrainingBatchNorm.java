package org.shufflenet3d.graph;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Batch norm in training form on channels-last feature maps, as one op of the graph: normalised with the batch's
 * mean and biased variance over every axis but the last, then scaled and shifted. Outputs: the result, the batch
 * mean and biased variance (for the running statistics), the normalised input and the inverse standard deviation
 * (for the gradient). Its gradient is one op too ({@link Gradient}), PyTorch's formula:
 * dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂)), dγ = Σ dy·x̂, dβ = Σ dy. SameDiff would differentiate the same
 * arithmetic through its broadcasting ops, whose gradients reduce over the broadcast axes several times slower.
 * Run by {@link GraphExecutor}.
 */
final class TrainingBatchNorm extends DynamicCustomOp implements GraphExecutor.JavaOp {

    private static final int OUTPUTS = 5;

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
        LongShapeDescriptor map = LongShapeDescriptor.fromShape(inputs[0].shape(), inputs[0].dataType());
        LongShapeDescriptor perChannel = LongShapeDescriptor.fromShape(new long[] {channels(inputs[0])},
                inputs[0].dataType());
        return List.of(map, perChannel, perChannel, map, perChannel);
    }

    @Override
    public void execute(INDArray[] inputs, INDArray[] outputs) {
        INDArray x = rows(inputs[0]);
        INDArray gamma = inputs[1];
        INDArray beta = inputs[2];
        INDArray y = rows(outputs[0]);
        INDArray mean = outputs[1];
        INDArray variance = outputs[2];
        INDArray normalized = rows(outputs[3]);
        INDArray inverseStd = outputs[4];
        long m = x.size(0);
        columnSums(x, mean).divi(m);
        Nd4j.exec(new BroadcastSubOp(x, mean, normalized, 1));
        Nd4j.exec(new MulOp(normalized, normalized, y));
        columnSums(y, variance).divi(m);
        Transforms.sqrt(inverseStd.assign(variance).addi(epsilon), false).rdivi(1.0);
        Nd4j.exec(new BroadcastMulOp(normalized, inverseStd, normalized, 1));
        Nd4j.exec(new BroadcastMulOp(normalized, gamma, y, 1));
        Nd4j.exec(new BroadcastAddOp(y, beta, y, 1));
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        SDVariable[] outputs = outputVariables();
        return List.of(new Gradient(sameDiff, gradients.get(0), outputs[3], arg(1), outputs[4]).outputVariables());
    }

    /** The gradient of {@link TrainingBatchNorm}: from dy, x̂, γ and 1/σ, the gradients of x, γ and β. */
    static final class Gradient extends DynamicCustomOp implements GraphExecutor.JavaOp {

        Gradient(SameDiff sd, SDVariable gradient, SDVariable normalized, SDVariable gamma, SDVariable inverseStd) {
            super(sd, new SDVariable[] {gradient, normalized, gamma, inverseStd});
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
            LongShapeDescriptor perChannel = LongShapeDescriptor.fromShape(new long[] {channels(inputs[0])},
                    inputs[0].dataType());
            return List.of(LongShapeDescriptor.fromShape(inputs[0].shape(), inputs[0].dataType()), perChannel,
                    perChannel);
        }

        @Override
        public void execute(INDArray[] inputs, INDArray[] outputs) {
            INDArray dy = rows(inputs[0]);
            INDArray normalized = rows(inputs[1]);
            INDArray gamma = inputs[2];
            INDArray inverseStd = inputs[3];
            INDArray dx = rows(outputs[0]);
            INDArray dGamma = outputs[1];
            INDArray dBeta = outputs[2];
            long m = dy.size(0);
            columnSums(dy, dBeta);
            Nd4j.exec(new MulOp(dy, normalized, dx));
            columnSums(dx, dGamma);
            INDArray scale = gamma.mul(inverseStd);
            Nd4j.exec(new BroadcastMulOp(normalized, dGamma.mul(-1.0 / m), dx, 1));
            dx.addi(dy);
            Nd4j.exec(new BroadcastSubOp(dx, dBeta.div(m), dx, 1));
            Nd4j.exec(new BroadcastMulOp(dx, scale, dx, 1));
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            throw new UnsupportedOperationException("batch norm's gradient is not differentiated again");
        }
    }

    private static long channels(INDArray map) {
        return map.size(map.rank() - 1);
    }

    /** A channels-last map as rows [values per channel, channels]: a view when it is contiguous. */
    private static INDArray rows(INDArray map) {
        return map.reshape('c', map.length() / channels(map), channels(map));
    }

    /**
     * The sums of the columns of {@code rows} [M, C] into {@code sums} [C]. ND4J reduces a C-ordered array along
     * its first axis column by column, strided, about five times slower than one pass over the rows; the pass is
     * split over the cores and accumulates in double.
     */
    static INDArray columnSums(INDArray rows, INDArray sums) {
        if (rows.ordering() != 'c' || !Shape.hasDefaultStridesForShape(rows)) {
            return sums.assign(rows.sum(0));
        }
        int columns = (int) rows.size(1);
        long rowCount = rows.size(0);
        int parts = (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), rowCount * columns >> 16));
        ByteBuffer bytes = rows.data().asNio();
        long offset = rows.offset();
        boolean isDouble = rows.dataType() == DataType.DOUBLE;
        if (!isDouble && rows.dataType() != DataType.FLOAT) {
            return sums.assign(rows.sum(0));
        }
        double[] total = IntStream.range(0, parts).parallel().mapToObj(part -> {
            double[] partial = new double[columns];
            long first = rowCount * part / parts;
            long last = rowCount * (part + 1) / parts;
            if (isDouble) {
                java.nio.DoubleBuffer values = bytes.asDoubleBuffer();
                for (long r = first; r < last; r++) {
                    int base = Math.toIntExact(offset + r * columns);
                    for (int c = 0; c < columns; c++) {
                        partial[c] += values.get(base + c);
                    }
                }
            } else {
                java.nio.FloatBuffer values = bytes.asFloatBuffer();
                for (long r = first; r < last; r++) {
                    int base = Math.toIntExact(offset + r * columns);
                    for (int c = 0; c < columns; c++) {
                        partial[c] += values.get(base + c);
                    }
                }
            }
            return partial;
        }).reduce(new double[columns], (a, b) -> {
            double[] sum = new double[columns];
            for (int c = 0; c < columns; c++) {
                sum[c] = a[c] + b[c];
            }
            return sum;
        });
        for (int c = 0; c < columns; c++) {
            sums.putScalar(c, total[c]);
        }
        return sums;
    }
}
