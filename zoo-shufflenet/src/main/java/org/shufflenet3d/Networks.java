package org.shufflenet3d;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.graph.NetworkBuilder;
import org.shufflenet3d.graph.ShapesOnly;
import org.shufflenet3d.graph.ShuffleNetV1Network;
import org.shufflenet3d.graph.ShuffleNetV2Network;
import org.shufflenet3d.graph.Tensor;

/** The two networks as one: feature extractor by architecture, then the reference's shared classifier head. */
public final class Networks {

    /** The state_dict prefix of the classifier head (dropout, then linear). */
    public static final String CLASSIFIER_PREFIX = "classifier.";
    /** The reference's dropout before the classifier. */
    public static final double CLASSIFIER_DROPOUT = 0.2;

    private Networks() {
    }

    /** The network declared without a graph: its parameters' names, kinds and shapes, and its layers' summary. */
    public static ShapesOnly declareShapes(ShuffleNetConfig config, ClipShape clip) {
        return declareWithoutGraph(NetworkBuilder.shapes(), config, clip);
    }

    /**
     * The parameters by state_dict name, FLOAT, as {@code ShuffleNet3d.create(config, clip, seed)} initialises them,
     * without declaring its graphs.
     */
    public static Map<String, INDArray> initialWeights(ShuffleNetConfig config, ClipShape clip, long seed) {
        return declareWithoutGraph(NetworkBuilder.initialWeights(seed, DataType.FLOAT), config, clip).initialWeights();
    }

    private static ShapesOnly declareWithoutGraph(ShapesOnly nb, ShuffleNetConfig config, ClipShape clip) {
        config.validateClip(clip);
        declare(nb, config, nb.input(ShuffleNet3d.INPUT, ClipShape.CHANNELS, clip.frames(), clip.height(),
                clip.width()));
        return nb;
    }

    /** Logits [N, classes] of a clip placeholder, with the reference's dropout before the classifier. */
    public static Tensor declare(NetworkBuilder nb, ShuffleNetConfig config, Tensor clip) {
        return declare(nb, config, clip, CLASSIFIER_DROPOUT);
    }

    /** Logits [N, classes] of a clip placeholder, with the given dropout before the classifier. */
    public static Tensor declare(NetworkBuilder nb, ShuffleNetConfig config, Tensor clip, double dropout) {
        return declareClassifier(nb, declareFeatures(nb, config, clip), config.numClasses(), dropout);
    }

    /** Pooled features [N, C]: everything before the classifier. */
    public static Tensor declareFeatures(NetworkBuilder nb, ShuffleNetConfig config, Tensor clip) {
        return nb.globalAveragePool(declareFeatureMap(nb, config, clip));
    }

    /** The last feature map before pooling [N, C, D', H', W'] (V1: the last stage's output; V2: conv_last's). */
    public static Tensor declareFeatureMap(NetworkBuilder nb, ShuffleNetConfig config, Tensor clip) {
        return config.architecture() == Architecture.SHUFFLENET
                ? ShuffleNetV1Network.declareFeatureMap(nb, config.groups(), config.stageChannels(), clip)
                : ShuffleNetV2Network.declareFeatureMap(nb, config.stageChannels(), clip);
    }

    /** Dropout (the identity in inference form), then Linear(features, classes). */
    public static Tensor declareClassifier(NetworkBuilder nb, Tensor features, int classes, double dropout) {
        return nb.linear(CLASSIFIER_PREFIX + "1", nb.dropout(CLASSIFIER_PREFIX + "0", features, dropout), classes);
    }
}
