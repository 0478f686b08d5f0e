package org.shufflenet3d.zoo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.shufflenet3d.Architecture;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidClipException;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.Networks;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.graph.GraphForm;
import org.shufflenet3d.graph.NetworkBuilder;
import org.shufflenet3d.graph.ShapesOnly;
import org.shufflenet3d.graph.Tensor;

/**
 * Everything of a 3D ShuffleNet before its classifier, as one DL4J layer: clips [N, 3, D, H, W] to pooled features
 * [N, C]. DL4J passes a layer whether it is training: in training the layer runs the training form (batch norm with
 * the batch's statistics, which update the running statistics as PyTorch does), otherwise the inference form, both
 * declared from the same network declaration ({@link NetworkBuilder}) and run by the library's executor
 * ({@link ShuffleNetFeatures}).
 *
 * <p>DL4J sees two parameters: {@value #PARAMETERS}, every trained value in the order of the reference's
 * state_dict, and {@value #STATISTICS}, the batch norms' running means and variances, which the updater leaves
 * alone ({@link NoOp}, no regularisation). {@link #stateDict} gives them back by state_dict name. (DL4J takes the
 * last '_' of a parameter's key as the separator from the layer's name, so the reference's names cannot be DL4J
 * keys themselves, and 170 of them made one line of {@code summary()} 10,000 characters wide.)
 */
public class ShuffleNetFeaturesLayer extends SameDiffLayer {

    /** The DL4J parameter holding every trained value. */
    public static final String PARAMETERS = "parameters";
    /** The DL4J parameter holding the batch norms' running statistics. */
    public static final String STATISTICS = "statistics";
    /** The placeholder of the clips in the layer's graphs. */
    static final String CLIPS = "input";

    @JsonProperty
    private String architecture;
    @JsonProperty
    private double widthMultiplier;
    @JsonProperty
    private int groups;
    @JsonProperty
    private int frames;
    @JsonProperty
    private int height;
    @JsonProperty
    private int width;
    @JsonProperty
    private long seed;
    @JsonIgnore
    private transient Layout layout;

    /** For deserialisation. */
    protected ShuffleNetFeaturesLayer() {
    }

    public ShuffleNetFeaturesLayer(ShuffleNetConfig config, ClipShape clip, long seed) {
        config.validateClip(clip);
        this.architecture = config.architecture().referenceName();
        this.widthMultiplier = config.widthMultiplier();
        this.groups = config.groups();
        this.frames = clip.frames();
        this.height = clip.height();
        this.width = clip.width();
        this.seed = seed;
    }

    /** The network's configuration; the class count is the classifier's business, so it is 1 here. */
    ShuffleNetConfig config() {
        return new ShuffleNetConfig(Architecture.fromReferenceName(architecture), widthMultiplier, groups, 1);
    }

    ClipShape clip() {
        return new ClipShape(frames, height, width);
    }

    /** Where each state_dict entry lies in {@value #PARAMETERS} or {@value #STATISTICS}. */
    record Slot(String name, long[] shape, boolean trained, long offset) {
        long length() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }
    }

    /** The feature extractor's state_dict entries in declaration order, and the number of features. */
    private record Layout(List<Slot> slots, long trained, long statistics, long features) {
    }

    private Layout layout() {
        if (layout == null) {
            ShapesOnly nb = NetworkBuilder.shapes();
            Tensor features = declare(nb);
            List<Slot> slots = new ArrayList<>();
            long[] sizes = new long[2];
            nb.parameterShapes().forEach((name, shape) -> {
                boolean trained = nb.parameters().get(name) == NetworkBuilder.ParameterKind.TRAINABLE;
                Slot slot = new Slot(name, shape, trained, sizes[trained ? 0 : 1]);
                sizes[trained ? 0 : 1] += slot.length();
                slots.add(slot);
            });
            layout = new Layout(List.copyOf(slots), sizes[0], sizes[1], features.channels());
        }
        return layout;
    }

    /** The feature extractor, from a placeholder {@code input} of clips [N, 3, D, H, W]. */
    Tensor declare(NetworkBuilder nb) {
        return Networks.declareFeatures(nb, config(), nb.input(CLIPS, ClipShape.CHANNELS, frames, height, width));
    }

    List<Slot> slots() {
        return layout().slots();
    }

    /** The number of pooled features this layer outputs. */
    long featureCount() {
        return layout().features();
    }

    /**
     * The state_dict entries held by this layer's parameters ({@code paramTable}: {@value #PARAMETERS} and
     * {@value #STATISTICS}), by name, as views: changing them changes the layer.
     */
    public Map<String, INDArray> stateDict(Map<String, INDArray> paramTable) {
        Map<String, INDArray> views = new LinkedHashMap<>();
        for (Slot slot : slots()) {
            INDArray flat = paramTable.get(slot.trained() ? PARAMETERS : STATISTICS);
            views.put(slot.name(), flat.get(NDArrayIndex.point(0),
                    NDArrayIndex.interval(slot.offset(), slot.offset() + slot.length())).reshape('c', slot.shape()));
        }
        return views;
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> paramTable,
            SDVariable mask) {
        Map<String, Slot> slots = new LinkedHashMap<>();
        slots().forEach(slot -> slots.put(slot.name(), slot));
        GraphForm nb = NetworkBuilder.inference(sd, (graph, name, shape, initialization) -> {
            Slot slot = slots.get(name);
            return paramTable.get(slot.trained() ? PARAMETERS : STATISTICS)
                    .get(SDIndex.point(0), SDIndex.interval(slot.offset(), slot.offset() + slot.length()))
                    .reshape(slot.shape());
        }, DataType.FLOAT);
        return Networks.declareFeatures(nb, config(), nb.fromReferenceLayout(layerInput, ClipShape.CHANNELS, frames,
                height, width)).variable();
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        Layout layout = layout();
        params.addWeightParam(PARAMETERS, 1, layout.trained());
        params.addWeightParam(STATISTICS, 1, layout.statistics());
    }

    /** PyTorch's initialisation, as {@code ShuffleNet3d.create} with the same seed makes it. */
    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        ShapesOnly nb = NetworkBuilder.initialWeights(seed, DataType.FLOAT);
        declare(nb);
        Map<String, INDArray> initial = nb.initialWeights();
        stateDict(params).forEach((name, view) -> view.assign(initial.get(name)));
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        if (networkDataType != DataType.FLOAT && networkDataType != DataType.DOUBLE) {
            throw new InvalidConfigurationException("the ShuffleNet features layer computes in FLOAT or DOUBLE; the"
                    + " network's data type is " + networkDataType);
        }
        ShuffleNetFeatures layer = new ShuffleNetFeatures(conf, networkDataType);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        layer.setListeners(trainingListeners);
        return layer;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(featureCount());
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return STATISTICS.equals(paramName) ? new NoOp() : super.getUpdaterByParam(paramName);
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return STATISTICS.equals(paramName) ? List.of() : super.getRegularizationByParam(paramName);
    }

    /** Clips must be [N, 3, D, H, W] of this layer's geometry. */
    @Override
    public void validateInput(INDArray input) {
        long[] expected = clip().batchShape(input.rank() > 0 ? input.size(0) : 0);
        if (input.rank() != 5 || input.size(0) < 1 || !Arrays.equals(input.shape(), expected)) {
            throw new InvalidClipException("the features layer takes clips shaped [N, 3, " + frames + ", " + height
                    + ", " + width + "] (N x channels x frames x height x width), got " + Arrays.toString(input.shape()));
        }
    }
}
