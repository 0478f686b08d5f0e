package org.shufflenet3d.train;

import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.graph.GraphExecutor;

/**
 * Optimiser steps on a {@link ShuffleNet3d}, in place: each step runs the training form on a batch, updates the
 * batch-norm running statistics and applies the optimiser to the trained parameters. The model's inference graph
 * sees every change at once, and its {@link ShuffleNet3d#output} from the end of the step.
 */
public final class TrainingSession {

    private final ShuffleNet3d model;
    private final Optimizer optimizer;
    private final TrainingGraph graph;
    private final Map<String, INDArray> parameters;

    /** The loss of a step's batch (before the update) and the logits it gave. */
    public record StepResult(double loss, INDArray logits) {
    }

    /**
     * @param dropout the drop probability before the classifier (the reference's 0.2; 0.9 when it fine-tunes)
     */
    public TrainingSession(ShuffleNet3d model, Optimizer optimizer, FineTuning portion, double dropout) {
        this.model = model;
        this.optimizer = optimizer;
        this.graph = new TrainingGraph(model, portion, dropout);
        this.parameters = model.liveParameters();
    }

    public ShuffleNet3d model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * One step on clips [N, 3, D, H, W] with class indices {@code labels}; {@code dropoutRandom} draws the dropout
     * masks.
     */
    public StepResult step(INDArray clips, int[] labels, double learningRate, Random dropoutRandom) {
        return step(clips, labels, learningRate, dropoutRandom, null);
    }

    /** {@link #step}, adding the time of each op of the training graph to {@code times} (when not null). */
    public StepResult step(INDArray clips, int[] labels, double learningRate, Random dropoutRandom,
            GraphExecutor.OpTimes times) {
        if (clips.rank() != 5 || clips.size(0) != labels.length) {
            throw new InvalidClipException("a training batch needs clips [N, 3, D, H, W] and N labels, got "
                    + java.util.Arrays.toString(clips.shape()) + " and " + labels.length + " labels");
        }
        int classes = model.config().numClasses();
        for (int label : labels) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " is out of range for " + classes
                        + " classes (0.." + (classes - 1) + ")");
            }
        }
        TrainingGraph.Step step = graph.step(clips, labels, dropoutRandom, times);
        optimizer.step(parameters, step.gradients(), learningRate);
        graph.recycle(step);
        model.parametersChanged();
        return new StepResult(step.loss(), step.logits());
    }
}
