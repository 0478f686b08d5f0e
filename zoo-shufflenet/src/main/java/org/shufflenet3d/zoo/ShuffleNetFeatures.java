package org.shufflenet3d.zoo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.graph.GraphExecutor;
import org.shufflenet3d.graph.Gradients;
import org.shufflenet3d.graph.NetworkBuilder;
import org.shufflenet3d.graph.Tensor;
import org.shufflenet3d.graph.TrainingForm;

/**
 * A {@link ShuffleNetFeaturesLayer} in a network. Both forms of the feature extractor are declared with one
 * placeholder per state_dict entry and run by a {@link GraphExecutor}, fed views into DL4J's flat parameters, so
 * that what the updater changes is what the next pass reads.
 *
 * <p>{@code activate(true)} runs the training form up to the features, moves the running statistics towards the
 * batch's and keeps the pass open; {@code backpropGradient} finishes it with DL4J's gradient of the features and
 * writes the parameters' gradients into DL4J's gradient view. Like DL4J's embedding layer, this layer gives no
 * gradient to its input: it is a network's first layer.
 */
final class ShuffleNetFeatures extends SameDiffLayer {

    private static final String FEATURE_GRADIENT = "featureGradient";

    private Form inferenceGraph;
    private Form trainingGraph;
    private GraphExecutor.PartialRun openPass;
    private INDArray viewedParameters;
    private Map<String, INDArray> stateDict;

    /** One form of the extractor: its executor, its output, and in training form what the pass gives back. */
    private record Form(GraphExecutor executor, String features, List<TrainingForm.BatchStatistics> statistics,
            Map<String, String> parameterOfGradient) {
    }

    ShuffleNetFeatures(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private ShuffleNetFeaturesLayer definition() {
        return (ShuffleNetFeaturesLayer) layerConf();
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        definition().validateInput(input);
        closeOpenPass();
        Map<String, INDArray> feed = new HashMap<>(stateDict());
        feed.put(ShuffleNetFeaturesLayer.CLIPS, input.castTo(dataType));
        if (!training) {
            Form form = inferenceForm();
            Map<String, INDArray> outputs = form.executor().run(feed);
            INDArray features = workspaceMgr.dup(ArrayType.ACTIVATIONS, outputs.get(form.features()));
            form.executor().recycle(outputs);
            return features;
        }
        Form form = trainingForm();
        openPass = form.executor().start(feed, null);
        Map<String, INDArray> first = openPass.first();
        for (TrainingForm.BatchStatistics s : form.statistics()) {
            s.updateRunning(stateDict(), first.get(s.mean().name()), first.get(s.biasedVariance().name()),
                    input.size(0));
        }
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, first.get(form.features()));
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        if (openPass == null) {
            throw new IllegalStateException("the ShuffleNet features layer computes gradients from its last training"
                    + " pass: call activate(true, ...) on this input first");
        }
        Form form = trainingGraph;
        Map<String, INDArray> outputs;
        try {
            outputs = openPass.finish(Map.of(FEATURE_GRADIENT, epsilon.castTo(dataType)));
        } finally {
            openPass = null;
        }
        Map<String, INDArray> gradientViews = definition().stateDict(gradTable);
        gradTable.get(ShuffleNetFeaturesLayer.STATISTICS).assign(0);
        form.parameterOfGradient().forEach((gradient, parameter) ->
                gradientViews.get(parameter).assign(outputs.get(gradient)));
        form.executor().recycle(outputs);
        Gradient gradient = new DefaultGradient();
        gradTable.forEach(gradient.gradientForVariable()::put);
        return new Pair<>(gradient, null);
    }

    @Override
    public void clear() {
        closeOpenPass();
        super.clear();
    }

    private void closeOpenPass() {
        if (openPass != null) {
            openPass.close();
            openPass = null;
        }
    }

    /** The state_dict entries as views into the current parameter array (DL4J may hand the layer a new one). */
    private synchronized Map<String, INDArray> stateDict() {
        if (viewedParameters != params) {
            stateDict = definition().stateDict(paramTable);
            viewedParameters = params;
        }
        return stateDict;
    }

    private synchronized Form inferenceForm() {
        if (inferenceGraph == null) {
            SameDiff sd = SameDiff.create();
            String features = declare(NetworkBuilder.inference(sd, parameters(), dataType)).variable().name();
            inferenceGraph = new Form(new GraphExecutor(sd, List.of(features)), features, List.of(), Map.of());
        }
        return inferenceGraph;
    }

    private synchronized Form trainingForm() {
        if (trainingGraph == null) {
            SameDiff sd = SameDiff.create();
            TrainingForm form = NetworkBuilder.training(sd, parameters(), dataType);
            SDVariable features = declare(form).variable();
            SDVariable featureGradient = sd.placeHolder(FEATURE_GRADIENT, dataType, -1, definition().featureCount());
            SDVariable objective = features.mul(featureGradient).sum();
            List<String> trained = definition().slots().stream().filter(ShuffleNetFeaturesLayer.Slot::trained)
                    .map(ShuffleNetFeaturesLayer.Slot::name).toList();
            List<String> first = new ArrayList<>(List.of(features.name()));
            for (TrainingForm.BatchStatistics s : form.batchStatistics()) {
                first.add(s.mean().name());
                first.add(s.biasedVariance().name());
            }
            List<String> outputs = new ArrayList<>(first);
            Map<String, String> parameterOfGradient = new HashMap<>();
            Gradients.declare(sd, objective, trained).forEach((parameter, gradient) -> {
                parameterOfGradient.put(gradient.name(), parameter);
                outputs.add(gradient.name());
            });
            trainingGraph = new Form(new GraphExecutor(sd, outputs, first), features.name(), form.batchStatistics(),
                    parameterOfGradient);
        }
        return trainingGraph;
    }

    /** Parameters as placeholders, one per state_dict entry, fed views into DL4J's flat parameters. */
    private NetworkBuilder.ParameterSource parameters() {
        return NetworkBuilder.placeholders(dataType);
    }

    /** Declared outside DL4J's workspaces, which would take the graph's constants back at the end of the pass. */
    private Tensor declare(NetworkBuilder form) {
        try (MemoryWorkspace outside = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return definition().declare(form);
        }
    }
}
