package org.shufflenet3d.graph;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv3D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv3DConfig;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A channels-last 3D convolution whose input needs no gradient (it reads the clips): ND4J's convolution forward,
 * and as its gradient only the weights', computed as the product of the input's patches (im2col, one clip at a
 * time) and the output gradient. ND4J's {@code conv3dnew_bp} always computes the input's gradient too, and with the
 * clips' three channels it runs outside oneDNN: 158 ms against about 40 for the stem of V2 at batch 8 here.
 */
final class InputConvolution extends Conv3D {

    InputConvolution(SameDiff sd, SDVariable input, SDVariable weights, Conv3DConfig config) {
        super(sd, input, weights, null, config);
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        Conv3DConfig c = getConfig();
        SDVariable weightGradient = new WeightGradient(sameDiff, arg(0), gradients.get(0),
                new int[] {(int) c.getKD(), (int) c.getKH(), (int) c.getKW()},
                new int[] {(int) c.getSD(), (int) c.getSH(), (int) c.getSW()},
                new int[] {(int) c.getPD(), (int) c.getPH(), (int) c.getPW()}).outputVariable();
        return Arrays.asList(null, weightGradient);
    }

    /** dW [kD, kH, kW, C, O] of a channels-last convolution from its input [N, D, H, W, C] and output gradient. */
    static final class WeightGradient extends JavaOp {

        private final int[] kernel;
        private final int[] stride;
        private final int[] padding;

        WeightGradient(SameDiff sd, SDVariable input, SDVariable outputGradient, int[] kernel, int[] stride,
                int[] padding) {
            super(sd, 1, input, outputGradient);
            this.kernel = kernel;
            this.stride = stride;
            this.padding = padding;
        }

        @Override
        public String opName() {
            return "shufflenet3d_input_convolution_weight_bp";
        }

        @Override
        public List<LongShapeDescriptor> outputShapes(INDArray[] inputs) {
            return List.of(LongShapeDescriptor.fromShape(new long[] {kernel[0], kernel[1], kernel[2],
                inputs[0].size(4), inputs[1].size(4)}, inputs[0].dataType()));
        }

        @Override
        public void execute(INDArray[] inputs, INDArray[] outputs) {
            INDArray x = ChannelRows.isContiguous(inputs[0]) ? inputs[0] : inputs[0].dup('c');
            INDArray g = inputs[1];
            long[] in = x.shape();
            long[] out = g.shape();
            int patch = kernel[0] * kernel[1] * kernel[2] * (int) in[4];
            long positions = out[1] * out[2] * out[3];
            INDArray dW = outputs[0].reshape('c', patch, out[4]);
            dW.assign(0);
            INDArray columns = Nd4j.createUninitializedDetached(x.dataType(), positions, patch);
            for (int n = 0; n < in[0]; n++) {
                im2col(x, n, out, columns);
                INDArray gradient = g.get(org.nd4j.linalg.indexing.NDArrayIndex.point(n)).reshape('c', positions,
                        out[4]);
                Nd4j.gemm(columns, gradient, dW, true, false, 1.0, 1.0);
            }
            columns.close();
        }

        /** Clip n's patches: one row per output position, kD·kH·kW·C values in the weights' order. */
        private void im2col(INDArray x, int n, long[] out, INDArray columns) {
            long[] in = x.shape();
            int channels = (int) in[4];
            int width = (int) in[3];
            int rowValues = kernel[2] * channels;
            int patch = kernel[0] * kernel[1] * rowValues;
            int outWidth = (int) out[3];
            boolean isDouble = x.dataType() == DataType.DOUBLE;
            ByteBuffer source = x.data().asNio();
            ByteBuffer target = columns.data().asNio();
            long sourceOffset = x.offset() + n * in[1] * in[2] * in[3] * in[4];
            int lineLength = (width + 2 * padding[2]) * channels;
            int frameRows = (int) (out[1] * out[2]);
            int parts = Math.min(Runtime.getRuntime().availableProcessors(), frameRows);
            IntStream.range(0, parts).parallel().forEach(part -> {
                Object line = isDouble ? new double[lineLength] : new float[lineLength];
                Object rows = isDouble ? new double[outWidth * patch] : new float[outWidth * patch];
                for (int frameRow = frameRows * part / parts; frameRow < frameRows * (part + 1) / parts; frameRow++) {
                    int d = (int) (frameRow / out[2]);
                    int h = (int) (frameRow % out[2]);
                    for (int kd = 0; kd < kernel[0]; kd++) {
                        int frame = d * stride[0] + kd - padding[0];
                        for (int kh = 0; kh < kernel[1]; kh++) {
                            int row = h * stride[1] + kh - padding[1];
                            boolean inside = frame >= 0 && frame < in[1] && row >= 0 && row < in[2];
                            int start = inside
                                    ? Math.toIntExact(sourceOffset + ((frame * in[2] + row) * in[3]) * channels) : 0;
                            if (isDouble) {
                                Arrays.fill((double[]) line, 0);
                                if (inside) {
                                    source.asDoubleBuffer().position(start).get((double[]) line,
                                            padding[2] * channels, width * channels);
                                }
                            } else {
                                Arrays.fill((float[]) line, 0);
                                if (inside) {
                                    source.asFloatBuffer().position(start).get((float[]) line,
                                            padding[2] * channels, width * channels);
                                }
                            }
                            int column = (kd * kernel[1] + kh) * rowValues;
                            for (int w = 0; w < outWidth; w++) {
                                System.arraycopy(line, w * stride[2] * channels, rows, w * patch + column, rowValues);
                            }
                        }
                    }
                    int at = Math.toIntExact((long) frameRow * outWidth * patch);
                    if (isDouble) {
                        target.asDoubleBuffer().position(at).put((double[]) rows);
                    } else {
                        target.asFloatBuffer().position(at).put((float[]) rows);
                    }
                }
            });
        }

    }
}
