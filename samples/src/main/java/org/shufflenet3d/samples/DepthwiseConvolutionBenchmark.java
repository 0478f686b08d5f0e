package org.shufflenet3d.samples;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.cli.Timings;
import org.shufflenet3d.graph.DepthwiseConvolution;
import org.shufflenet3d.graph.NetworkBuilder;
import org.shufflenet3d.graph.Tensor;

/**
 * Times every {@link DepthwiseConvolution} formulation at the depthwise layers' real shapes in ShuffleNet V2 1.0x
 * and V1 1.0x (g=3) on 16x112x112 clips, then whole eval-mode forward passes with each. Prints medians in ms.
 * The whole-network pass leaves out {@link DepthwiseConvolution#PER_CHANNEL}: its graph holds thousands of ops and
 * did not finish one batch-8 forward pass in six minutes here.
 *
 * <pre>java -cp samples/target/shufflenet3d.jar org.shufflenet3d.samples.DepthwiseConvolutionBenchmark [batch]</pre>
 */
public final class DepthwiseConvolutionBenchmark {

    /** Per-sample input [C, D, H, W] and stride of the depthwise layers. */
    private static final long[][] LAYERS = {
        {24, 8, 28, 28, 2}, {58, 8, 28, 28, 2}, {58, 4, 14, 14, 1}, {116, 4, 14, 14, 2}, {116, 2, 7, 7, 1},
        {232, 2, 7, 7, 2}, {232, 1, 4, 4, 1},
        {60, 8, 28, 28, 2}, {60, 4, 14, 14, 1}, {120, 4, 14, 14, 2}, {120, 2, 7, 7, 1}, {240, 2, 7, 7, 2},
        {240, 1, 4, 4, 1}};
    private static final int WARMUPS = 2;
    private static final int RUNS = 7;

    private DepthwiseConvolutionBenchmark() {
    }

    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        System.out.printf(Locale.ROOT, "depthwise 3x3x3 convolution, batch %d, median ms of %d runs%n", batch, RUNS);
        System.out.printf(Locale.ROOT, "%-26s", "input [C,D,H,W] stride");
        for (DepthwiseConvolution d : DepthwiseConvolution.values()) {
            System.out.printf(Locale.ROOT, "%14s", d);
        }
        System.out.println();
        for (long[] layer : LAYERS) {
            System.out.printf(Locale.ROOT, "%-26s", Arrays.toString(Arrays.copyOf(layer, 4)) + " s" + layer[4]);
            INDArray x = Nd4j.rand(DataType.FLOAT, batch, layer[0], layer[1], layer[2], layer[3]);
            for (DepthwiseConvolution d : DepthwiseConvolution.values()) {
                System.out.printf(Locale.ROOT, "%14.1f", layerMillis(d, layer, x));
            }
            System.out.println();
        }
        System.out.printf(Locale.ROOT, "%nwhole network, eval-mode forward, batch %d of 3x16x112x112%n", batch);
        INDArray clips = Nd4j.rand(DataType.FLOAT, ClipShape.DEFAULT.batchShape(batch)).muli(255).subi(110);
        for (ShuffleNetConfig config : new ShuffleNetConfig[] {ShuffleNetConfig.v2(1.0, 600),
                ShuffleNetConfig.v1(3, 1.0, 600)}) {
            System.out.printf(Locale.ROOT, "%-26s", config.describe().replace(", 600 classes", ""));
            for (DepthwiseConvolution d : DepthwiseConvolution.values()) {
                if (d == DepthwiseConvolution.PER_CHANNEL) {
                    System.out.printf(Locale.ROOT, "%14s", "not run");
                    continue;
                }
                ShuffleNet3d model = ShuffleNet3d.create(config, ClipShape.DEFAULT, d, 1);
                System.out.printf(Locale.ROOT, "%14.1f", median(() -> model.output(clips)));
            }
            System.out.println();
        }
    }

    private static double layerMillis(DepthwiseConvolution formulation, long[] layer, INDArray x) {
        NetworkBuilder nb = new NetworkBuilder(SameDiff.create(), formulation, 1);
        Tensor input = nb.input("x", layer[0], layer[1], layer[2], layer[3]);
        nb.output(nb.depthwiseConv3d("dw", input, (int) layer[4]), "y");
        SameDiff sd = nb.sameDiff();
        return median(() -> sd.output(Map.of("x", x), "y"));
    }

    private static double median(Runnable run) {
        return Timings.measure(run, WARMUPS, RUNS).median();
    }
}
