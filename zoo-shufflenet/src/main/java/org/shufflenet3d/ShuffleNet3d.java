package org.shufflenet3d;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.graph.FoldedConvolution;
import org.shufflenet3d.graph.FoldedForm;
import org.shufflenet3d.graph.GraphExecutor;
import org.shufflenet3d.graph.GraphForm;
import org.shufflenet3d.graph.InferenceForm;
import org.shufflenet3d.graph.NetworkBuilder;
import org.shufflenet3d.graph.Tensor;
import org.shufflenet3d.io.AtomicFiles;
import org.shufflenet3d.io.MalformedFileException;
import org.shufflenet3d.io.NumpyFiles;

/**
 * A 3D ShuffleNet declared as a SameDiff graph for clips of one geometry (any batch size), with parameters named
 * as the reference's state_dict. New parameters are initialised as PyTorch initialises them; batch norm starts
 * with mean 0 and variance 1.
 */
public final class ShuffleNet3d {

    /** The placeholder: float clips [N, 3, D, H, W]. */
    public static final String INPUT = "input";
    /** The output: logits [N, classes]. */
    public static final String OUTPUT = "logits";
    /** The softmax of the logits [N, classes]. */
    public static final String PROBABILITIES = "probabilities";
    /** The globally pooled features that enter the classifier [N, F]. */
    public static final String FEATURES = "features";
    /** The last feature map before pooling [N, C, D', H', W']. */
    public static final String FEATURE_MAP = "feature_map";

    private static final long DEFAULT_SEED = 12345L;

    static {
        NativeThreads.preferPassiveWaiting();
    }

    private final ShuffleNetConfig config;
    private final ClipShape clip;
    private final SameDiff sd;
    private final ModelSummary summary;
    private final Map<String, NetworkBuilder.ParameterKind> parameters;
    private final List<FoldedConvolution> foldedConvolutions;
    private final Map<String, GraphExecutor> executors = new LinkedHashMap<>();
    private volatile boolean foldedStale = true;

    private ShuffleNet3d(ShuffleNetConfig config, ClipShape clip, SameDiff sd, NetworkBuilder declared) {
        this.config = config;
        this.clip = clip;
        this.sd = sd;
        this.summary = new ModelSummary(config, clip, declared.layers());
        this.parameters = Map.copyOf(declared.parameters());
        FoldedForm foldedForm = declare(NetworkBuilder.foldedInference(SameDiff.create(),
                NetworkBuilder.sharedVariables(liveParameters()), dataType()), config, clip);
        this.foldedConvolutions = foldedForm.foldedConvolutions();
        for (String output : List.of(OUTPUT, PROBABILITIES, FEATURES, FEATURE_MAP)) {
            executors.put(output, new GraphExecutor(foldedForm.sameDiff(), List.of(output)));
        }
        sd.setOutputs(OUTPUT, PROBABILITIES);
    }

    public static ShuffleNet3d create(ShuffleNetConfig config, ClipShape clip) {
        return create(config, clip, DEFAULT_SEED);
    }

    /** Builds the network with a chosen initialisation seed. */
    public static ShuffleNet3d create(ShuffleNetConfig config, ClipShape clip, long seed) {
        return create(config, clip, seed, DataType.FLOAT);
    }

    /** Builds the network in a chosen floating-point type: FLOAT, or DOUBLE to check numerics against it. */
    public static ShuffleNet3d create(ShuffleNetConfig config, ClipShape clip, long seed, DataType dataType) {
        config.validateClip(clip);
        InferenceForm nb = declare(NetworkBuilder.inference(SameDiff.create(), NetworkBuilder.newVariables(seed),
                dataType), config, clip);
        return new ShuffleNet3d(config, clip, nb.sameDiff(), nb);
    }

    /** The network with its outputs in a graph form. */
    private static <F extends GraphForm> F declare(F nb, ShuffleNetConfig config, ClipShape clip) {
        Tensor input = nb.input(INPUT, ClipShape.CHANNELS, clip.frames(), clip.height(), clip.width());
        Tensor featureMap = Networks.declareFeatureMap(nb, config, input);
        Tensor features = nb.globalAveragePool(featureMap);
        nb.output(featureMap, FEATURE_MAP);
        nb.output(features, FEATURES);
        SDVariable logits = nb.output(Networks.declareClassifier(nb, features, config.numClasses(),
                Networks.CLASSIFIER_DROPOUT), OUTPUT);
        nb.sameDiff().nn.softmax(PROBABILITIES, logits, 1);
        return nb;
    }

    /**
     * A network whose configuration is inferred from a weights file (a PyTorch checkpoint, an .npz state_dict or
     * a saved model), with those weights loaded, for clips of the given geometry.
     */
    public static ShuffleNet3d fromWeights(Path file, ClipShape clip) throws IOException {
        WeightFiles.Weights weights = WeightFiles.read(file);
        return fromWeights(weights, weights.config(), clip);
    }

    /**
     * A network of the given configuration with weights read by {@link WeightFiles#read} loaded, for clips of the
     * given geometry: what every way of building a network from a weights file comes down to. The weights must fit
     * the configuration, as {@link #loadWeights(WeightFiles.Weights)} checks.
     */
    public static ShuffleNet3d fromWeights(WeightFiles.Weights weights, ShuffleNetConfig config, ClipShape clip) {
        ShuffleNet3d model = create(config, clip);
        model.loadWeights(weights);
        return model;
    }

    /** Reads a model written by {@link #save}: the same graph, weights and outputs. */
    public static ShuffleNet3d load(Path file) throws IOException {
        SameDiff sd = WeightFiles.readSameDiff(file);
        SDVariable input = sd.getVariable(INPUT);
        long[] shape = input == null ? null : input.placeholderShape();
        ShuffleNetConfig config = StateDicts.inferConfig(WeightFiles.variables(sd)).orElse(null);
        if (shape == null || shape.length != 5 || config == null || !sd.hasVariable(OUTPUT)) {
            throw new MalformedFileException(file + ": a SameDiff graph, but not a 3D ShuffleNet saved by this library");
        }
        if (!input.dataType().isFPType() || shape[1] != ClipShape.CHANNELS
                || Arrays.stream(shape, 2, 5).anyMatch(size -> size < 1 || size > Integer.MAX_VALUE)) {
            throw new MalformedFileException(file + ": its input is " + input.dataType() + " "
                    + Arrays.toString(shape) + "; expected float clips [N, 3, D, H, W] of a model saved by this"
                    + " library");
        }
        ClipShape clip = new ClipShape((int) shape[2], (int) shape[3], (int) shape[4]);
        config.validateClip(clip);
        NetworkBuilder declared = Networks.declareShapes(config, clip);
        for (String name : new TreeSet<>(declared.parameters().keySet())) {
            INDArray saved = sd.hasVariable(name) ? sd.getVariable(name).getArr() : null;
            long[] expected = declared.parameterShapes().get(name);
            if (saved == null || !Arrays.equals(saved.shape(), expected) || saved.dataType() != input.dataType()) {
                throw new MalformedFileException(file + ": parameter " + name + " is " + (saved == null ? "missing"
                        : saved.dataType() + " " + Arrays.toString(saved.shape())) + " where "
                        + config.describe() + " has " + input.dataType() + " " + Arrays.toString(expected)
                        + "; expected a model saved by this library");
            }
        }
        return new ShuffleNet3d(config, clip, sd, declared);
    }

    /** Writes the graph with its weights in SameDiff's format (through a temporary file). */
    public void save(Path file) throws IOException {
        AtomicFiles.writeFile(file, temporary -> {
            try {
                sd.save(temporary.toFile(), false);
            } catch (RuntimeException e) {
                throw new IOException(WeightFiles.rootCause(e), e);
            }
        });
    }

    /** Writes the weights as an .npz of arrays named by the reference's state_dict keys. */
    public void saveWeights(Path file) throws IOException {
        NumpyFiles.writeNpz(file, weights());
    }

    public ShuffleNetConfig config() {
        return config;
    }

    public ClipShape clipShape() {
        return clip;
    }

    /**
     * The network as the reference declares it, its parameters graph variables: the graph to differentiate or
     * extend. Its outputs are {@value #OUTPUT} and {@value #PROBABILITIES}; {@value #FEATURES} and
     * {@value #FEATURE_MAP} name what {@link #features} and {@link #featureMap} give. {@link #output} computes the
     * same values with a faster form of it.
     */
    public SameDiff sameDiff() {
        return sd;
    }

    public ModelSummary summary() {
        return summary;
    }

    /**
     * Eval-mode logits [N, classes] of a float batch [N, 3, D, H, W] of this network's clip geometry, computed with
     * each batch norm folded into the convolution before it (see {@link #parametersChanged}).
     */
    public INDArray output(INDArray clips) {
        return output(clips, null);
    }

    /** {@link #output(INDArray)}, adding the time of each op to {@code times} (when not null), to profile. */
    public INDArray output(INDArray clips, GraphExecutor.OpTimes times) {
        return run(clips, OUTPUT, times);
    }

    /** Eval-mode class probabilities [N, classes]: the softmax of {@link #output}. */
    public INDArray probabilities(INDArray clips) {
        return run(clips, PROBABILITIES, null);
    }

    /** F, the width of {@link #features}: the number of values that enter the classifier. */
    public int featureCount() {
        return (int) sd.getVariable(Networks.CLASSIFIER_PREFIX + "1.weight").getArr().size(1);
    }

    /**
     * Eval-mode features [N, F]: the globally pooled last feature map, what enters the classifier (F = 1024 for V2
     * up to width 1.5, 2048 at 2.0; V1's last stage width). An embedding of each clip.
     */
    public INDArray features(INDArray clips) {
        return run(clips, FEATURES, null);
    }

    /**
     * Eval-mode last feature map before pooling [N, C, D', H', W'] (V1: the last stage's output, V2: conv_last's),
     * in the reference's layout: the map a detector head takes from the backbone.
     */
    public INDArray featureMap(INDArray clips) {
        return run(clips, FEATURE_MAP, null);
    }

    /** The graph's floating-point type (FLOAT unless built otherwise). */
    public DataType dataType() {
        return sd.getVariable(INPUT).dataType();
    }

    private INDArray run(INDArray clips, String output, GraphExecutor.OpTimes times) {
        checkClips(clips);
        INDArray input = clips.dataType() == dataType() ? clips : clips.castTo(dataType());
        deriveFoldedConstants();
        return executors.get(output).run(Map.of(INPUT, input), times).get(output);
    }

    /**
     * Tells the model that its parameters changed in place (through {@link #liveParameters()} or the graph's
     * variables). {@link #output} and {@link #probabilities} compute with batch norm folded into the convolutions,
     * from constants derived from the parameters; they derive them again at their next call after this, after
     * {@link #loadWeights} and after a {@code TrainingSession} step.
     */
    public void parametersChanged() {
        foldedStale = true;
    }

    private synchronized void deriveFoldedConstants() {
        if (foldedStale) {
            foldedStale = false;
            Map<String, INDArray> live = liveParameters();
            for (FoldedConvolution convolution : foldedConvolutions) {
                convolution.update(live);
            }
        }
    }

    private void checkClips(INDArray clips) {
        long[] expected = clip.batchShape(clips.rank() > 0 ? clips.size(0) : 0);
        if (clips.rank() != 5 || clips.size(0) < 1 || !Arrays.equals(clips.shape(), expected)
                || !clips.dataType().isFPType()) {
            throw new InvalidClipException("expected float clips shaped [N, 3, " + clip.frames() + ", "
                    + clip.height() + ", " + clip.width() + "] (N x channels x frames x height x width), got "
                    + clips.dataType() + " " + Arrays.toString(clips.shape()));
        }
    }

    /** The parameters and batch-norm statistics by state_dict name, copied, in declaration order. */
    public Map<String, INDArray> weights() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (parameters.containsKey(v.name())) {
                out.put(v.name(), v.getArr().dup());
            }
        }
        return out;
    }

    /**
     * The arrays the graph computes with, by state_dict name: changing them in place changes the network (a
     * trainer's business, which then calls {@link #parametersChanged}); everything else should use
     * {@link #weights()}.
     */
    public Map<String, INDArray> liveParameters() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (SDVariable v : sd.variables()) {
            if (parameters.containsKey(v.name())) {
                out.put(v.name(), v.getArr());
            }
        }
        return out;
    }

    /**
     * This network with a new classifier for {@code classes} classes (initialised as PyTorch initialises a new
     * Linear), every other weight and statistic copied: the reference's fine-tuning start.
     */
    public ShuffleNet3d withNewClassifier(int classes, long seed) {
        ShuffleNetConfig target = new ShuffleNetConfig(config.architecture(), config.widthMultiplier(), config.groups(),
                classes);
        ShuffleNet3d copy = create(target, clip, seed);
        Map<String, INDArray> weights = copy.weights();
        weights().forEach((name, value) -> {
            if (!name.startsWith(Networks.CLASSIFIER_PREFIX)) {
                weights.put(name, value);
            }
        });
        copy.loadWeights(weights);
        return copy;
    }

    /** Names of the parameters an optimiser updates (batch-norm running statistics excluded). */
    public Set<String> trainableParameterNames() {
        Set<String> names = new TreeSet<>();
        parameters.forEach((name, kind) -> {
            if (kind == NetworkBuilder.ParameterKind.TRAINABLE) {
                names.add(name);
            }
        });
        return names;
    }

    /**
     * Loads a weights file: a PyTorch checkpoint (whose {@code arch}, when it has one, must be this network's), an
     * .npz state_dict, or a saved model.
     */
    public void loadWeights(Path file) throws IOException {
        loadWeights(WeightFiles.read(file));
    }

    /** Loads weights read from a file; a checkpoint that names its architecture must name this network's. */
    public void loadWeights(WeightFiles.Weights weights) {
        weights.architecture().filter(arch -> arch != config.architecture()).ifPresent(arch -> {
            throw new WeightMismatchException(weights.source() + " holds a " + arch.referenceName()
                    + " checkpoint; the network is " + config.describe());
        });
        loadWeights(weights.stateDict());
    }

    /**
     * Copies a state_dict into the network. Keys may carry DataParallel's {@code module.} prefix;
     * {@code num_batches_tracked} entries are ignored; values are converted to the graph's type. Every parameter must be
     * present with its exact shape and nothing else may be: otherwise nothing is changed and the exception lists
     * the missing, unexpected and mis-shaped entries and, when it can tell, the configuration the weights fit.
     */
    public void loadWeights(Map<String, INDArray> stateDict) {
        Map<String, INDArray> byName = StateDicts.normalize(stateDict);
        List<String> missing = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        for (String name : new TreeSet<>(parameters.keySet())) {
            INDArray value = byName.get(name);
            long[] expected = sd.getVariable(name).getArr().shape();
            if (value == null) {
                missing.add(name);
            } else if (!Arrays.equals(value.shape(), expected)) {
                misShaped.add(name + " " + Arrays.toString(value.shape()) + " where the network has "
                        + Arrays.toString(expected));
            }
        }
        Set<String> unexpected = new TreeSet<>(byName.keySet());
        unexpected.removeAll(parameters.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty() || !misShaped.isEmpty()) {
            String madeFor = StateDicts.inferConfig(byName).filter(c -> !c.equals(config))
                    .map(c -> " (they were made for " + c.describe() + ")").orElse("");
            throw new WeightMismatchException("weights do not fit " + config.describe() + madeFor + ":"
                    + listing(" missing", missing) + listing(" unexpected", unexpected)
                    + listing(" mis-shaped", misShaped));
        }
        byName.forEach((name, value) -> {
            INDArray target = sd.getVariable(name).getArr();
            target.assign(value.castTo(target.dataType()));
        });
        parametersChanged();
    }

    private static String listing(String label, java.util.Collection<String> names) {
        if (names.isEmpty()) {
            return "";
        }
        int shown = Math.min(names.size(), 8);
        String more = names.size() > shown ? " and " + (names.size() - shown) + " more" : "";
        return label + " (" + names.size() + "): " + String.join(", ", names.stream().limit(shown).toList()) + more
                + ";";
    }
}
