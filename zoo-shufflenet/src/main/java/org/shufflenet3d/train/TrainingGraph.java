package org.shufflenet3d.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.Networks;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.graph.Gradients;
import org.shufflenet3d.graph.GraphExecutor;
import org.shufflenet3d.graph.GraphForm;
import org.shufflenet3d.graph.NetworkBuilder;
import org.shufflenet3d.graph.Tensor;
import org.shufflenet3d.graph.TrainingForm;

/**
 * The training form of a {@link ShuffleNet3d}: the same declaration in {@link TrainingForm}, on the model's own
 * parameter arrays, with the mean cross-entropy loss and its gradients, run by a {@link GraphExecutor}. A step
 * computes the loss and the gradients of the parameters being trained and updates batch-norm running statistics as
 * PyTorch does (momentum 0.1, unbiased variance). When only the classifier trains, the frozen feature extractor
 * stays in inference form.
 */
final class TrainingGraph {

    private static final String LABELS = "labels";
    private static final String LOSS = "loss";

    private final ShuffleNet3d model;
    private final Map<String, INDArray> live;
    private final List<TrainingForm.BatchStatistics> statistics = new ArrayList<>();
    private final List<TrainingForm.DropoutMask> masks = new ArrayList<>();
    private final Map<String, String> gradientOf = new HashMap<>();
    private final String logits;
    private final DataType dataType;
    private final GraphExecutor executor;

    /** The outcome of one step: the loss before it, the logits it saw, the gradients of the trained parameters. */
    record Step(double loss, INDArray logits, Map<String, INDArray> gradients) {
    }

    TrainingGraph(ShuffleNet3d model, FineTuning portion, double dropout) {
        this.model = model;
        this.live = model.liveParameters();
        this.dataType = model.dataType();
        SameDiff sd = SameDiff.create();
        NetworkBuilder.ParameterSource shared = NetworkBuilder.sharedVariables(live);
        // The classifier always trains; a frozen feature extractor stays in inference form, without batch statistics.
        TrainingForm training = NetworkBuilder.training(sd, shared, dataType);
        GraphForm features = portion == FineTuning.LAST_LAYER ? NetworkBuilder.inference(sd, shared, dataType)
                : training;
        ClipShape clip = model.clipShape();
        Tensor input = features.input(ShuffleNet3d.INPUT, ClipShape.CHANNELS, clip.frames(), clip.height(),
                clip.width());
        Tensor output = Networks.declareClassifier(training, Networks.declareFeatures(features, model.config(), input),
                model.config().numClasses(), dropout);
        this.logits = output.variable().name();
        SDVariable labels = sd.placeHolder(LABELS, dataType, -1, model.config().numClasses());
        SDVariable loss = crossEntropy(sd, output.variable(), labels).mean(LOSS);
        statistics.addAll(training.batchStatistics());
        masks.addAll(training.dropoutMasks());
        List<String> trained = model.trainableParameterNames().stream().filter(name -> portion == FineTuning.COMPLETE
                || name.startsWith(Networks.CLASSIFIER_PREFIX)).toList();
        List<String> outputs = new ArrayList<>(List.of(LOSS, logits));
        Gradients.declare(sd, loss, trained).forEach((parameter, gradient) -> {
            gradientOf.put(gradient.name(), parameter);
            outputs.add(gradient.name());
        });
        for (TrainingForm.BatchStatistics s : statistics) {
            outputs.add(s.mean().name());
            outputs.add(s.biasedVariance().name());
        }
        this.executor = new GraphExecutor(sd, outputs);
    }

    /**
     * Each clip's cross-entropy, log Σ exp(z) − z_label, computed from z − max(z): ND4J's log_softmax takes the log of
     * the softmax, which is −∞ where a probability underflows, and a confident, correct prediction then made the
     * loss NaN (0·−∞ in the label sum).
     */
    static SDVariable crossEntropy(SameDiff sd, SDVariable logits, SDVariable oneHotLabels) {
        SDVariable shifted = logits.sub(new StopGradient(sd, logits.max(true, 1)).outputVariable());
        return sd.math.log(sd.math.exp(shifted).sum(true, 1)).sub(shifted.mul(oneHotLabels).sum(true, 1));
    }

    /** One forward and backward pass; updates running statistics, not parameters. */
    Step step(INDArray clips, int[] labels, Random dropoutRandom, GraphExecutor.OpTimes times) {
        Map<String, INDArray> feed = new HashMap<>();
        feed.put(ShuffleNet3d.INPUT, clips.castTo(dataType));
        feed.put(LABELS, oneHot(labels, model.config().numClasses()).castTo(dataType));
        for (TrainingForm.DropoutMask mask : masks) {
            feed.put(mask.placeholder(), dropoutMask(clips.size(0), mask, dropoutRandom).castTo(dataType));
        }
        Map<String, INDArray> values = executor.run(feed, times);
        for (TrainingForm.BatchStatistics s : statistics) {
            s.updateRunning(live, values.get(s.mean().name()), values.get(s.biasedVariance().name()), clips.size(0));
        }
        Map<String, INDArray> gradients = new HashMap<>();
        gradientOf.forEach((gradient, parameter) -> gradients.put(parameter, values.get(gradient)));
        return new Step(values.get(LOSS).getDouble(0), values.get(logits), gradients);
    }

    /** Gives a step's gradients back to the executor once nothing reads them. */
    void recycle(Step step) {
        Map<String, INDArray> byGradient = new HashMap<>();
        gradientOf.forEach((gradient, parameter) -> byGradient.put(gradient, step.gradients().get(parameter)));
        executor.recycle(byGradient);
    }

    static INDArray oneHot(int[] labels, int classes) {
        INDArray out = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
        for (int i = 0; i < labels.length; i++) {
            out.putScalar(i, labels[i], 1f);
        }
        return out;
    }

    private static INDArray dropoutMask(long batch, TrainingForm.DropoutMask mask, Random random) {
        float kept = (float) (1.0 / (1.0 - mask.dropProbability()));
        float[] values = new float[Math.toIntExact(batch * mask.features())];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble() < mask.dropProbability() ? 0f : kept;
        }
        return Nd4j.create(values, new long[] {batch, mask.features()}, 'c');
    }
}
