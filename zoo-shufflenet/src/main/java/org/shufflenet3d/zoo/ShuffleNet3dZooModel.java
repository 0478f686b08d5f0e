package org.shufflenet3d.zoo;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
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
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.InvalidConfigurationException;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.WeightFiles;
import org.shufflenet3d.WeightMismatchException;
import org.shufflenet3d.graph.Networks;
import org.shufflenet3d.io.AtomicFiles;
import org.shufflenet3d.io.MalformedFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the two zoo models share. {@link #init()} gives a DL4J {@link ComputationGraph}: input → the SameDiff
 * feature extractor ({@link ShuffleNetFeaturesLayer}) → a softmax {@link OutputLayer} with the reference's dropout
 * in front. {@link #initModel()} gives the same network as a {@link ShuffleNet3d}, {@link #initSameDiff()} its
 * graph. Pretrained weights are the reference's checkpoints ({@link ReferenceCheckpoint}), looked for in the DL4J
 * resources directory and fetched from {@link Builder#pretrainedBaseUrl} when one is set.
 */
public abstract class ShuffleNet3dZooModel extends ZooModel<ShuffleNet3dZooModel> {

    /** The ComputationGraph's vertex names. */
    public static final String INPUT = "input";
    public static final String FEATURES = "features";
    public static final String CLASSIFIER = "classifier";

    private static final Logger LOG = LoggerFactory.getLogger(ShuffleNet3dZooModel.class);

    private final int numClasses;
    private final double widthMultiplier;
    private int[] inputShape;
    private final long seed;
    private final IUpdater updater;
    private final double dropout;
    private final String pretrainedBaseUrl;
    private final Map<ReferenceCheckpoint, String> checksums;

    protected ShuffleNet3dZooModel(Builder<?> builder) {
        this.numClasses = builder.numClasses;
        this.widthMultiplier = builder.widthMultiplier;
        this.inputShape = builder.inputShape.clone();
        this.seed = builder.seed;
        this.updater = builder.updater;
        this.dropout = builder.dropout;
        this.pretrainedBaseUrl = builder.pretrainedBaseUrl;
        this.checksums = new EnumMap<>(builder.checksums);
        clip();
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
        if (inputShape.length != 4 || inputShape[0] != ClipShape.CHANNELS) {
            throw new InvalidConfigurationException("input shape must be {3, frames, height, width}, got "
                    + java.util.Arrays.toString(inputShape));
        }
        return new ClipShape(inputShape[1], inputShape[2], inputShape[3]);
    }

    @Override
    @SuppressWarnings("unchecked")
    public ComputationGraph init() {
        return toComputationGraph(initModel());
    }

    /** The network as a {@link ShuffleNet3d}, initialised as PyTorch initialises it. */
    public ShuffleNet3d initModel() {
        return ShuffleNet3d.create(config(), clip(), seed);
    }

    /** The network's SameDiff graph ({@code input} → {@code logits}, {@code probabilities}). */
    public SameDiff initSameDiff() {
        return initModel().sameDiff();
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
        ShuffleNet3d model = ShuffleNet3d.create(checkpoint.config(), clip(), seed);
        model.loadWeights(pretrainedFile(checkpoint));
        return model;
    }

    /** Any local checkpoint or weights file of this architecture; its configuration is read from it. */
    public ShuffleNet3d initPretrainedModel(Path file) throws IOException {
        ShuffleNetConfig found = WeightFiles.read(file).config();
        if (found.architecture() != config().architecture()) {
            throw new WeightMismatchException(file + " holds " + found.describe() + "; " + modelName() + " is "
                    + config().architecture().referenceName());
        }
        ShuffleNet3d model = ShuffleNet3d.create(found, clip(), seed);
        model.loadWeights(file);
        return model;
    }

    /**
     * The local copy of a reference checkpoint: in the DL4J resources directory
     * ({@code ~/.deeplearning4j/models/<modelName>/}), else downloaded there from the base URL when one is set.
     * Verified against its SHA-256 checksum when one is configured.
     */
    public Path pretrainedFile(ReferenceCheckpoint checkpoint) throws IOException {
        Path directory = DL4JResources.getDirectory(ResourceType.ZOO_MODEL, modelName()).toPath();
        Path file = directory.resolve(checkpoint.fileName());
        if (!Files.isRegularFile(file)) {
            if (pretrainedBaseUrl == null) {
                throw new java.nio.file.NoSuchFileException(file.toString(), null, "the reference checkpoint "
                        + checkpoint.fileName() + " is not there: put the file there (it is published with the"
                        + " reference implementation), or set pretrainedBaseUrl to a location that serves it");
            }
            URL url = new URL(pretrainedBaseUrl.replaceAll("/+$", "") + "/" + checkpoint.fileName());
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
        ShuffleNetFeaturesLayer features = new ShuffleNetFeaturesLayer(model.config(), model.clipShape(), seed);
        ClipShape clip = model.clipShape();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional3D(Convolution3D.DataFormat.NCDHW, clip.frames(), clip.height(),
                        clip.width(), ClipShape.CHANNELS))
                .addLayer(FEATURES, features, INPUT)
                .addLayer(CLASSIFIER, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(features.featureCount()).nOut(model.config().numClasses())
                        .activation(Activation.SOFTMAX)
                        .dropOut(1.0 - dropout)
                        .build(), FEATURES)
                .setOutputs(CLASSIFIER)
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Map<String, INDArray> weights = model.weights();
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

    @Override
    public void setInputShape(int[][] inputShape) {
        this.inputShape = inputShape[0].clone();
        clip();
    }

    /** The reference's checkpoints are not DL4J pretrained types: see {@link #initPretrained(ReferenceCheckpoint)}. */
    @Override
    public String pretrainedUrl(PretrainedType pretrainedType) {
        return null;
    }

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
        private IUpdater updater = new Nesterovs(0.1, 0.9);
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

        /** The ComputationGraph's updater (default Nesterov momentum 0.9, learning rate 0.1, as the reference). */
        public B updater(IUpdater updater) {
            this.updater = updater;
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
