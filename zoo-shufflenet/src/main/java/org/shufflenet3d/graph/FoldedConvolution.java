package org.shufflenet3d.graph;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A convolution of the folded inference form ({@link NetworkBuilder.Mode#FOLDED_INFERENCE}) together with the
 * batch norm after it, as one convolution with a bias: the graph computes with constants derived from both layers'
 * parameters, weight·γ/√(σ²+ε) and β − μ·γ/√(σ²+ε), laid out as the convolution's ops take them. The parameters
 * themselves stay as they are, in the reference's form; {@link #update} derives the constants from them again.
 */
public final class FoldedConvolution {

    /** Appended to a layer's name to name the constants its folded form computes with. */
    static final String WEIGHT_SUFFIX = "/folded_weight";
    static final String BIAS_SUFFIX = "/folded_bias";

    /** Derives a convolution's constants from its scaled weight (PyTorch's layout) and its bias [out]. */
    @FunctionalInterface
    interface Derivation {
        List<INDArray> derive(INDArray scaledWeight, INDArray bias);
    }

    /** A declared folded convolution: its output, its constants, and how to derive their values. */
    record Form(SDVariable output, List<SDVariable> constants, Derivation derivation) {
    }

    private final String convolution;
    private final Form form;
    private String batchNorm;

    FoldedConvolution(String convolution, Form form) {
        this.convolution = convolution;
        this.form = form;
    }

    /** The convolution's state_dict prefix (its weight is {@code <prefix>.weight}). */
    public String convolution() {
        return convolution;
    }

    SDVariable output() {
        return form.output();
    }

    void foldBatchNorm(String module) {
        batchNorm = module;
    }

    /**
     * Derives the constants again from the parameters, given by state_dict name: the convolution's weight and,
     * when a batch norm follows it, that batch norm's weight, bias, running mean and running variance.
     */
    public void update(Map<String, INDArray> parameters) {
        INDArray weight = parameters.get(convolution + ".weight");
        long out = weight.size(0);
        INDArray scale;
        INDArray shift;
        if (batchNorm == null) {
            scale = Nd4j.ones(weight.dataType(), out);
            shift = Nd4j.zeros(weight.dataType(), out);
        } else {
            INDArray variance = parameters.get(batchNorm + ".running_var");
            scale = parameters.get(batchNorm + ".weight")
                    .div(Transforms.sqrt(variance.add(NetworkBuilder.BATCH_NORM_EPSILON), false));
            shift = parameters.get(batchNorm + ".bias").sub(parameters.get(batchNorm + ".running_mean").mul(scale));
        }
        long[] perOutput = new long[weight.rank()];
        Arrays.fill(perOutput, 1);
        perOutput[0] = out;
        List<INDArray> values = form.derivation().derive(weight.mul(scale.reshape(perOutput)), shift);
        for (int i = 0; i < values.size(); i++) {
            form.constants().get(i).getArr().assign(values.get(i));
        }
    }
}
