package org.shufflenet3d.zoo;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.shufflenet3d.Architecture;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.graph.NetworkBuilder;
import org.shufflenet3d.graph.Networks;
import org.shufflenet3d.graph.Tensor;

/**
 * Everything of a 3D ShuffleNet before its classifier, as one DL4J layer: the same SameDiff declaration as
 * {@link ShuffleNet3d}, taking clips [N, 3, D, H, W] to pooled features [N, C]. A SameDiff layer never learns
 * whether it is training, so batch norm stays in inference form: its running statistics are parameters the
 * updater leaves alone ({@link NoOp}, no regularisation); convolution weights and batch-norm affine parameters
 * train. DL4J takes the last '_' of a gradient key as the layer separator, so parameter keys are the state_dict
 * names with '_' written as '-' ({@code conv_last.1.running_mean} is {@code conv-last.1.running-mean}).
 */
public class ShuffleNetFeaturesLayer extends SameDiffLayer {

    private static final String RUNNING_MEAN = ".running_mean";
    private static final String RUNNING_VAR = ".running_var";

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

    /** The feature extractor's parameters and their shapes, named as in the reference's state_dict. */
    Map<String, long[]> parameterShapes() {
        return declareWithoutWeights().builder().parameterShapes();
    }

    /** The number of pooled features this layer outputs. */
    long featureCount() {
        return declareWithoutWeights().features().channels();
    }

    private record Declaration(NetworkBuilder builder, Tensor features) {
    }

    private Declaration declareWithoutWeights() {
        NetworkBuilder nb = new NetworkBuilder(SameDiff.create(), seed,
                (sd, name, shape, initialValue) -> sd.var(name, DataType.FLOAT, shape));
        ClipShape clip = clip();
        Tensor input = nb.input("input", ClipShape.CHANNELS, clip.frames(), clip.height(), clip.width());
        return new Declaration(nb, Networks.declareFeatures(nb, config(), input));
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> paramTable,
            SDVariable mask) {
        NetworkBuilder nb = new NetworkBuilder(sd, seed,
                (graph, name, shape, initialValue) -> paramTable.get(parameterKey(name)));
        Tensor clips = nb.fromReferenceLayout(layerInput, ClipShape.CHANNELS, frames, height, width);
        return Networks.declareFeatures(nb, config(), clips).variable();
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        parameterShapes().forEach((name, shape) -> params.addWeightParam(parameterKey(name), shape));
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        Map<String, INDArray> initial = ShuffleNet3d.create(config(), clip(), seed)
                .weights();
        params.forEach((key, view) -> view.assign(initial.get(stateDictName(key))));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(featureCount());
    }

    @Override
    public IUpdater getUpdaterByParam(String paramName) {
        return isRunningStatistic(paramName) ? new NoOp() : super.getUpdaterByParam(paramName);
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return isRunningStatistic(paramName) ? List.of() : super.getRegularizationByParam(paramName);
    }

    /** Whether a parameter key names batch-norm running statistics, which stay fixed. */
    static boolean isRunningStatistic(String key) {
        String name = stateDictName(key);
        return name.endsWith(RUNNING_MEAN) || name.endsWith(RUNNING_VAR);
    }

    /** The DL4J parameter key of a state_dict entry. */
    static String parameterKey(String stateDictName) {
        return stateDictName.replace('_', '-');
    }

    /** The state_dict entry of a DL4J parameter key. */
    static String stateDictName(String parameterKey) {
        return parameterKey.replace('-', '_');
    }
}
