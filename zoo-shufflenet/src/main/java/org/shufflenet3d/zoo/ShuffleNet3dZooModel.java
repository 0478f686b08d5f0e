package org.shufflenet3d.zoo;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.common.resources.ResourceType;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.ModelMetaData;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.ZooType;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.shufflenet3d.Architecture;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.Networks;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.WeightFiles;
import org.shufflenet3d.WeightMismatchException;
import org.shufflenet3d.io.AtomicFiles;
import org.shufflenet3d.io.MalformedFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the two zoo models share. {@link #init()} gives a DL4J {@link ComputationGraph}: input → the SameDiff
 * feature extractor ({@link ShuffleNetFeaturesLayer}) → a softmax {@link OutputLayer} with the reference's dropout
 * in front. {@link #initModel()} gives the same network as a {@link ShuffleNet3d}, {@link #initSameDiff()} its
 * graph. Pretrained weights are the reference's checkpoints ({@link ReferenceCheckpoint}): {@link #initPretrained()}
 * loads the Kinetics-600 one of the builder's network. They are looked for in the DL4J resources directory and
 * fetched from {@link Builder#pretrainedBaseUrl} when one is set.
 *
 * <p>The ComputationGraph trains with the builder's updater and weight decay, applied as L2 regularisation to
 * every trained parameter, as PyTorch's {@code weight_decay} is. The reference trains with
 * {@code torch.optim.SGD(lr=0.1, momentum=0.9, dampening=0.9, weight_decay=1e-3)}; the default is that optimiser at
 * learning rate {@value #DEFAULT_LEARNING_RATE}, which learns the demo's videos and a generated task from scratch (in
 * one run, the task in 10 epochs where DL4J's {@code Adam(1e-3)} needed 17); {@code updater(MomentumSgd.reference())}
 * is the reference's own. In {@code fit} the feature extractor runs batch norm with the batch's statistics and moves
 * its running statistics, as PyTorch's {@code train()} mode does (see {@link ShuffleNetFeaturesLayer}).
 */
public abstract class ShuffleNet3dZooModel extends ZooModel<ShuffleNet3dZooModel> {

    /** The ComputationGraph's vertex names. */
    public static final String INPUT = "input";
    public static final String FEATURES = "features";
    public static final String CLASSIFIER = "classifier";

    /** The default updater's learning rate: the reference's SGD at 0.02. */
    public static final double DEFAULT_LEARNING_RATE = 0.02;

    private static final Logger LOG = LoggerFactory.getLogger(ShuffleNet3dZooModel.class);

    private final int numClasses;
    private final double widthMultiplier;
    private int[] inputShape;
    private final long seed;
    private final IUpdater updater;
    private final double weightDecay;
    private final double dropout;
    private final String pretrainedBaseUrl;
    private final Map<ReferenceCheckpoint, String> checksums;

    protected ShuffleNet3dZooModel(Builder<?> builder) {
        this.numClasses = builder.numClasses;
        this.widthMultiplier = builder.widthMultiplier;
        this.inputShape = builder.inputShape.clone();
        this.seed = builder.seed;
        this.updater = builder.updater;
        this.weightDecay = builder.weightDecay;
        this.dropout = builder.dropout;
        this.pretrainedBaseUrl = builder.pretrainedBaseUrl;
        this.checksums = new EnumMap<>(builder.checksums);
        clipOf(inputShape);
    }

    /** The network this zoo model declares, from its builder settings. */
    public abstract ShuffleNetConfig config();

    protected int numClasses() {
        return numClasses;
    }

    protected double widthMultiplier() {
        return widthMultiplier;
    }

    /** The clip geometry of {@code inputShape} ({3, frames, height, width}). */
    public ClipShape clip() {
        return clipOf(inputShape);
    }

    private static ClipShape clipOf(int[] inputShape) {
        if (inputShape == null || inputShape.length != 4 || inputShape[0] != ClipShape.CHANNELS) {
            throw new InvalidConfigurationException("3D models take an input shape of {3, frames, height, width}, such"
                    + " as {3, 16, 112, 112}; got " + Arrays.toString(inputShape));
        }
        return new ClipShape(inputShape[1], inputShape[2], inputShape[3]);
    }

    /** The ComputationGraph's updater. */
    public IUpdater updater() {
        return updater.clone();
    }

    /** The L2 coefficient applied to every trained parameter's gradient before the updater (PyTorch's weight_decay). */
    public double weightDecay() {
        return weightDecay;
    }

    @Override
    @SuppressWarnings("unchecked")
    public ComputationGraph init() {
        return toComputationGraph(config(), clip(), Networks.initialWeights(config(), clip(), seed));
    }

    /** The network as a {@link ShuffleNet3d}, initialised as PyTorch initialises it. */
    public ShuffleNet3d initModel() {
        return ShuffleNet3d.create(config(), clip(), seed);
    }

    /**
     * The network as a SameDiff graph in the reference's form: placeholder {@code input} [N, 3, D, H, W], its
     * outputs ({@link SameDiff#outputs()}) {@code logits} and {@code probabilities} [N, classes], and the pooled
     * features before the classifier named {@code features} [N, C] and the last feature map {@code feature_map};
     * parameters named as the reference's state_dict.
     */
    public SameDiff initSameDiff() {
        return initModel().sameDiff();
    }

    /**
     * The reference's Kinetics-600 checkpoint for this builder's network (architecture, width and groups), if it
     * published one: V1 with 3 groups at widths 0.5, 1.0, 1.5 and 2.0, V2 at widths 0.25, 1.0, 1.5 and 2.0.
     */
    public Optional<ReferenceCheckpoint> kineticsCheckpoint() {
        return ReferenceCheckpoint.find(ReferenceDataset.KINETICS_600, config());
    }

    /** {@link #initPretrained(PretrainedType)} of {@link PretrainedType#IMAGENET}: the Kinetics-600 weights. */
    @Override
    public ComputationGraph initPretrained() throws IOException {
        return initPretrained(PretrainedType.IMAGENET);
    }

    /**
     * The reference's Kinetics-600 checkpoint of this builder's network ({@link #kineticsCheckpoint()}) as a
     * ComputationGraph for clips of the builder's input shape. DL4J's {@link PretrainedType} has no Kinetics entry:
     * {@link PretrainedType#IMAGENET}, which {@link #initPretrained()} asks for, stands for it here, and the other
     * types are refused. As with DL4J's zoo models, the classifier is the checkpoint's (600 classes) whatever the
     * builder's class count: replace it with DL4J's {@code TransferLearning} ({@code nOutReplace}) to fine-tune.
     * The checkpoint file is looked for as {@link #pretrainedFile} says.
     */
    @Override
    @SuppressWarnings("unchecked")
    public <M extends Model> M initPretrained(PretrainedType pretrainedType) throws IOException {
        if (pretrainedType != PretrainedType.IMAGENET) {
            throw new UnsupportedOperationException("there are no " + pretrainedType + " weights for " + modelName()
                    + ": the reference published Kinetics-600 checkpoints, loaded by initPretrained() (PretrainedType."
                    + PretrainedType.IMAGENET + " stands for them), and Jester checkpoints, loaded by"
                    + " initPretrained(ReferenceCheckpoint.JESTER_...)");
        }
        ReferenceCheckpoint checkpoint = kineticsCheckpoint().orElseThrow(() -> new UnsupportedOperationException(
                "the reference published no Kinetics-600 checkpoint for " + config().architecture().referenceName()
                        + " " + config().widthMultiplier() + "x" + groupsText() + "; it did for "
                        + Arrays.stream(ReferenceCheckpoint.values())
                                .filter(c -> c.dataset() == ReferenceDataset.KINETICS_600
                                        && c.architecture() == config().architecture())
                                .map(c -> c.config().widthMultiplier() + "x" + groupsText(c.config()))
                                .collect(Collectors.joining(", "))));
        return (M) initPretrained(checkpoint);
    }

    /**
     * Whether {@link #initPretrained(PretrainedType)} can load weights without anything more to do: the type is
     * {@link PretrainedType#IMAGENET} (the Kinetics-600 weights), the reference published a checkpoint for this
     * network, and its file is in the DL4J resources directory or a {@code pretrainedBaseUrl} to fetch it from is set.
     */
    @Override
    public boolean pretrainedAvailable(PretrainedType pretrainedType) {
        return pretrainedType == PretrainedType.IMAGENET && kineticsCheckpoint()
                .filter(c -> pretrainedBaseUrl != null || Files.isRegularFile(cachedFile(c))).isPresent();
    }

    /** A reference checkpoint as a ComputationGraph; width, groups and classes are the checkpoint's. */
    public ComputationGraph initPretrained(ReferenceCheckpoint checkpoint) throws IOException {
        return toComputationGraph(initPretrainedModel(checkpoint));
    }

    public ComputationGraph initPretrained(Path file) throws IOException {
        return toComputationGraph(initPretrainedModel(file));
    }

    /** A reference checkpoint as a {@link ShuffleNet3d}, for clips of this model's input shape. */
    public ShuffleNet3d initPretrainedModel(ReferenceCheckpoint checkpoint) throws IOException {
        if (checkpoint.architecture() != config().architecture()) {
            throw new InvalidConfigurationException(checkpoint + " is a " + checkpoint.architecture().referenceName()
                    + " checkpoint; " + modelName() + " is " + config().architecture().referenceName());
        }
        return ShuffleNet3d.fromWeights(WeightFiles.read(pretrainedFile(checkpoint)), checkpoint.config(), clip());
    }

    /** Any local checkpoint or weights file of this architecture; its configuration is read from it. */
    public ShuffleNet3d initPretrainedModel(Path file) throws IOException {
        WeightFiles.Weights weights = WeightFiles.read(file);
        ShuffleNetConfig found = weights.config();
        if (found.architecture() != config().architecture()) {
            throw new WeightMismatchException(file + " holds " + found.describe() + "; " + modelName() + " is "
                    + config().architecture().referenceName());
        }
        return ShuffleNet3d.fromWeights(weights, found, clip());
    }

    /**
     * The local copy of a reference checkpoint: in the DL4J resources directory
     * ({@code ~/.deeplearning4j/models/<modelName>/<file name>}, {@link DL4JResources} moves the base), else
     * downloaded there from the base URL when one is set. Verified against its SHA-256 checksum when one is
     * configured. When it is missing, the error names the file, where to put it and where the reference publishes it.
     */
    public Path pretrainedFile(ReferenceCheckpoint checkpoint) throws IOException {
        Path file = cachedFile(checkpoint);
        if (!Files.isRegularFile(file)) {
            if (pretrainedBaseUrl == null) {
                throw new NoSuchFileException(file.toString(), null, "the reference's checkpoint "
                        + checkpoint.fileName() + " is not there: download it from the reference's pretrained models ("
                        + ReferenceCheckpoint.PUBLISHED_AT + ", linked from github.com/okankop/Efficient-3DCNNs) and"
                        + " put it at " + file + ", or set pretrainedBaseUrl to a location that serves it");
            }
            URL url = new URL(downloadUrl(checkpoint));
            LOG.info("downloading {} to {}", url, file);
            AtomicFiles.writeFile(file, temporary -> {
                try (InputStream in = url.openStream()) {
                    Files.copy(in, temporary, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                verifyChecksum(checkpoint, temporary, url.toString());
            });
            return file;
        }
        verifyChecksum(checkpoint, file, file.toString());
        return file;
    }

    private String downloadUrl(ReferenceCheckpoint checkpoint) {
        return pretrainedBaseUrl.replaceAll("/+$", "") + "/" + checkpoint.fileName();
    }

    private Path cachedFile(ReferenceCheckpoint checkpoint) {
        return DL4JResources.getDirectory(ResourceType.ZOO_MODEL, modelName()).toPath().resolve(checkpoint.fileName());
    }

    private String groupsText() {
        return groupsText(config());
    }

    private static String groupsText(ShuffleNetConfig config) {
        return config.architecture() == Architecture.SHUFFLENET ? " g=" + config.groups() : "";
    }

    private void verifyChecksum(ReferenceCheckpoint checkpoint, Path file, String origin) throws IOException {
        String expected = checksums.get(checkpoint);
        if (expected == null) {
            return;
        }
        String actual = sha256(file);
        if (!actual.equalsIgnoreCase(expected)) {
            throw new MalformedFileException(origin + ": SHA-256 " + actual + " differs from the configured " + expected
                    + " for " + checkpoint.fileName() + " (a damaged or different file)");
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The ComputationGraph of a network: the same weights, the classifier as a softmax output layer. */
    public ComputationGraph toComputationGraph(ShuffleNet3d model) {
        return toComputationGraph(model.config(), model.clipShape(), model.weights());
    }

    /** The ComputationGraph of a network of {@code config} for {@code clip} with {@code weights} by state_dict name. */
    private ComputationGraph toComputationGraph(ShuffleNetConfig config, ClipShape clip,
            Map<String, INDArray> weights) {
        ShuffleNetFeaturesLayer features = new ShuffleNetFeaturesLayer(config, clip, seed);
        NeuralNetConfiguration.Builder network = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater.clone())
                .dataType(DataType.FLOAT);
        if (weightDecay > 0) {
            network.l2(weightDecay).l2Bias(weightDecay);
        }
        ComputationGraphConfiguration conf = network
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, clip.frames(), clip.height(),
                        clip.width(), ClipShape.CHANNELS))
                .addLayer(FEATURES, features, INPUT)
                .addLayer(CLASSIFIER, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(features.featureCount()).nOut(config.numClasses())
                        .activation(Activation.SOFTMAX)
                        .dropOut(1.0 - dropout)
                        .build(), FEATURES)
                .setOutputs(CLASSIFIER)
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        features.stateDict(graph.getLayer(FEATURES).paramTable()).forEach((name, view) -> view.assign(weights.get(name)));
        graph.getLayer(CLASSIFIER).getParam("W").assign(weights.get(Networks.CLASSIFIER_PREFIX + "1.weight").transpose());
        graph.getLayer(CLASSIFIER).getParam("b").assign(weights.get(Networks.CLASSIFIER_PREFIX + "1.bias")
                .reshape(1, -1));
        return graph;
    }

    @Override
    public ModelMetaData metaData() {
        return new ModelMetaData(new int[][] {inputShape.clone()}, 1, ZooType.CNN);
    }

    @Override
    public Class<? extends Model> modelType() {
        return ComputationGraph.class;
    }

    /** One input of shape {3, frames, height, width}; anything else is refused and the shape is left as it was. */
    @Override
    public void setInputShape(int[][] inputShape) {
        if (inputShape == null || inputShape.length != 1) {
            throw new InvalidConfigurationException("3D models take one input of shape {3, frames, height, width};"
                    + " got " + (inputShape == null ? "null" : inputShape.length + " input shapes"));
        }
        clipOf(inputShape[0]);
        this.inputShape = inputShape[0].clone();
    }

    /**
     * Where {@link #initPretrained(PretrainedType)} downloads its checkpoint from: the base URL and the file name,
     * when a base URL is set and the reference published Kinetics-600 weights for this network; otherwise null.
     */
    @Override
    public String pretrainedUrl(PretrainedType pretrainedType) {
        if (pretrainedType != PretrainedType.IMAGENET || pretrainedBaseUrl == null) {
            return null;
        }
        return kineticsCheckpoint().map(this::downloadUrl).orElse(null);
    }

    /** 0: DL4J's Adler-32 checks do not apply; {@link Builder#checksum} sets SHA-256 checksums instead. */
    @Override
    public long pretrainedChecksum(PretrainedType pretrainedType) {
        return 0L;
    }

    /** Builder settings and their defaults, shared by both zoo models. */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<B extends Builder<B>> {
        private int numClasses = 600;
        private double widthMultiplier = 1.0;
        private int[] inputShape = {ClipShape.CHANNELS, ClipShape.DEFAULT.frames(), ClipShape.DEFAULT.height(),
            ClipShape.DEFAULT.width()};
        private long seed = 1234L;
        private IUpdater updater = MomentumSgd.reference(DEFAULT_LEARNING_RATE);
        private double weightDecay = MomentumSgd.REFERENCE_WEIGHT_DECAY;
        private double dropout = Networks.CLASSIFIER_DROPOUT;
        private String pretrainedBaseUrl;
        private final Map<ReferenceCheckpoint, String> checksums = new EnumMap<>(ReferenceCheckpoint.class);

        /** Output classes (default 600, Kinetics-600). */
        public B numClasses(int numClasses) {
            this.numClasses = numClasses;
            return (B) this;
        }

        /** Width multiplier (default 1.0). */
        public B widthMultiplier(double widthMultiplier) {
            this.widthMultiplier = widthMultiplier;
            return (B) this;
        }

        /** {3, frames, height, width} (default {3, 16, 112, 112}). */
        public B inputShape(int[] inputShape) {
            this.inputShape = inputShape.clone();
            return (B) this;
        }

        /** Initialisation seed (default 1234). */
        public B seed(long seed) {
            this.seed = seed;
            return (B) this;
        }

        /**
         * The ComputationGraph's updater (default {@code MomentumSgd.reference(0.02)}: the reference's
         * {@code torch.optim.SGD} rule, momentum 0.9 and dampening 0.9, at learning rate 0.02). The reference's
         * optimiser is {@link MomentumSgd#reference()}, at 0.1.
         */
        public B updater(IUpdater updater) {
            this.updater = Objects.requireNonNull(updater, "updater");
            return (B) this;
        }

        /**
         * PyTorch's {@code weight_decay}: L2 regularisation of every trained parameter, weights and biases, added to
         * the gradient before the updater (default 1e-3, the reference's). Batch-norm running statistics are
         * not trained and not decayed.
         */
        public B weightDecay(double weightDecay) {
            if (!(weightDecay >= 0 && Double.isFinite(weightDecay))) {
                throw new InvalidConfigurationException("weight decay must be a finite value >= 0, got " + weightDecay);
            }
            this.weightDecay = weightDecay;
            return (B) this;
        }

        /** Drop probability before the classifier (default 0.2, the reference's; its fine-tuning uses 0.9). */
        public B dropout(double dropout) {
            if (!(dropout >= 0 && dropout < 1)) {
                throw new InvalidConfigurationException("dropout is a drop probability in [0, 1), got " + dropout);
            }
            this.dropout = dropout;
            return (B) this;
        }

        /** Where to download reference checkpoints missing from the DL4J resources directory (default: none). */
        public B pretrainedBaseUrl(String baseUrl) {
            this.pretrainedBaseUrl = baseUrl;
            return (B) this;
        }

        /** The SHA-256 (hex) a reference checkpoint must have. */
        public B checksum(ReferenceCheckpoint checkpoint, String sha256) {
            checksums.put(checkpoint, sha256);
            return (B) this;
        }
    }
}
