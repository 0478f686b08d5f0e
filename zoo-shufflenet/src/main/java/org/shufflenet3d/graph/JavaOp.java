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
 * An op of the library's own in a SameDiff graph, for computations that ND4J's ops do slowly: {@link GraphExecutor}
 * runs it by calling {@link #execute}; SameDiff's own session cannot run it. Every output has the type of the first
 * input. An op that is differentiated declares its gradient in {@link #doDiff}, usually as another such op.
 */
public abstract class JavaOp extends DynamicCustomOp {

    private final int outputs;

    /** Declares the op and its {@code outputs} output variables in {@code sd}. */
    protected JavaOp(SameDiff sd, int outputs, SDVariable... inputs) {
        super(sd, inputs);
        this.outputs = outputs;
        outputVariables();
    }

    /** The shapes and types of the outputs for these inputs. */
    public abstract List<LongShapeDescriptor> outputShapes(INDArray[] inputs);

    /** Computes the outputs into arrays allocated with the shapes {@link #outputShapes} gave. */
    public abstract void execute(INDArray[] inputs, INDArray[] outputs);

    @Override
    public int getNumOutputs() {
        return outputs;
    }

    @Override
    public List<DataType> calculateOutputDataTypes(List<DataType> inputTypes) {
        return Collections.nCopies(outputs, inputTypes.get(0));
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        throw new UnsupportedOperationException(opName() + " has no gradient");
    }
}
