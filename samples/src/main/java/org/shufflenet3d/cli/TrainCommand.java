package org.shufflenet3d.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.data.LabeledClips;
import org.shufflenet3d.io.AtomicFiles;
import org.shufflenet3d.train.AdamOptimizer;
import org.shufflenet3d.train.Evaluator;
import org.shufflenet3d.train.FineTuning;
import org.shufflenet3d.train.LearningRateSchedule;
import org.shufflenet3d.train.Optimizer;
import org.shufflenet3d.train.SgdOptimizer;
import org.shufflenet3d.train.Trainer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Trains or fine-tunes a network with the reference's semantics, showing progress, writing a"
                + " checkpoint every epoch, then evaluates it and saves the model. From --weights of another class"
                + " count than the data's, the classifier is replaced (fine-tuning).")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    NetworkOptions network;

    @Mixin
    ClipOptions clip;

    @Mixin
    DataOptions data;

    @ArgGroup(exclusive = false, multiplicity = "0..1")
    WeightsOption weights;

    @Option(names = "--fine-tune", paramLabel = "complete|last_layer", defaultValue = "complete",
            description = "What trains: complete (everything, default) or last_layer (the classifier only).")
    FineTuning fineTune;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs (default 5).")
    int epochs;

    @Option(names = "--batch", defaultValue = "8", description = "Clips per batch (default 8).")
    int batch;

    @Option(names = "--optimizer", paramLabel = "sgd|adam", defaultValue = "sgd", description = "Default sgd.")
    OptimizerKind optimizer;

    @Option(names = "--lr", defaultValue = "0.1", description = "Learning rate (default 0.1, the reference's).")
    double learningRate;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default 0.9).")
    double momentum;

    @Option(names = "--dampening", defaultValue = "0.9", description = "SGD dampening (default 0.9).")
    double dampening;

    @Option(names = "--nesterov", description = "Nesterov momentum (needs --dampening 0).")
    boolean nesterov;

    @Option(names = "--weight-decay", defaultValue = "1e-3", description = "Weight decay (default 1e-3).")
    double weightDecay;

    @Option(names = "--schedule", paramLabel = "plateau|multistep:E1,E2,...|constant", defaultValue = "plateau",
            description = "Learning-rate schedule (default plateau: divided by 10 after --lr-patience epochs"
                    + " without a lower validation loss).")
    String schedule;

    @Option(names = "--lr-patience", defaultValue = "10", description = "Plateau patience in epochs (default 10).")
    int patience;

    @Option(names = "--gamma", defaultValue = "0.1", description = "Multi-step factor (default 0.1).")
    double gamma;

    @Option(names = "--dropout", defaultValue = "0.2",
            description = "Drop probability before the classifier (default 0.2; the reference fine-tunes with 0.9).")
    double dropout;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of initialisation, shuffling and dropout.")
    long seed;

    @Option(names = "--checkpoints", paramLabel = "DIR", description = "Write a checkpoint every epoch here.")
    Path checkpoints;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue from a checkpoint of --checkpoints.")
    Path resume;

    @Option(names = "--output", paramLabel = "OUT", description = "Save the trained model (.sd) and weights (.npz).")
    Path output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ClipShape shape = clip.clip();
        Path modelFile = output == null ? null : output.resolveSibling(stem(output) + ".sd");
        Path weightsFile = output == null ? null : output.resolveSibling(stem(output) + ".npz");
        for (Path target : new Path[] {modelFile, weightsFile,
            checkpoints == null ? null : checkpoints.resolve(Trainer.BEST_CHECKPOINT)}) {
            if (target != null) {
                AtomicFiles.requireWritable(target);
            }
        }
        ShuffleNet3dCommand.doing("reading the dataset");
        LabeledClips train = data.training(shape);
        LabeledClips validation = data.validation(shape);
        ShuffleNet3dCommand.doing("building the network");
        ShuffleNet3d model = startingModel(shape, train.numClasses());
        Trainer trainer = new Trainer(model, optimizer(), schedule(), new Trainer.Settings(epochs, batch, dropout,
                fineTune, seed, checkpoints));
        if (resume != null) {
            trainer.resumeFrom(resume);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("training " + model.config().describe() + " on " + train.size() + " clips of 3x" + shape
                + (validation == null ? ", without validation" : ", validating on " + validation.size()));
        out.flush();
        ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), out);
        ShuffleNet3dCommand.doing("training in batches of " + batch + " clips of 3x" + shape);
        trainer.fit(train, validation, progress);
        if (validation != null) {
            ShuffleNet3dCommand.doing("evaluating in batches of " + batch + " clips of 3x" + shape);
            out.print(Evaluator.evaluate(model, validation, batch, progress).report(validation.classNames()));
        }
        if (output != null) {
            ShuffleNet3dCommand.doing("saving the model");
            model.save(modelFile);
            model.saveWeights(weightsFile);
            out.println("saved " + modelFile + " and " + weightsFile);
        }
        out.flush();
        return 0;
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
    }

    private ShuffleNet3d startingModel(ClipShape shape, int classes) throws Exception {
        if (weights == null) {
            return ShuffleNet3d.create(network.config(Optional.empty(), classes), shape,
                    seed);
        }
        ShuffleNet3d model = network.load(weights.file, shape);
        return model.config().numClasses() == classes ? model : model.withNewClassifier(classes, seed);
    }

    /** The optimisers {@code --optimizer} names. */
    enum OptimizerKind {
        SGD,
        ADAM
    }

    private Optimizer optimizer() {
        return switch (optimizer) {
            case SGD -> new SgdOptimizer(momentum, dampening, weightDecay, nesterov);
            case ADAM -> new AdamOptimizer(0.9, 0.999, 1e-8, weightDecay);
        };
    }

    private LearningRateSchedule schedule() {
        String kind = schedule.toLowerCase(Locale.ROOT);
        if (kind.equals("plateau")) {
            return LearningRateSchedule.reduceOnPlateau(learningRate, 0.1, patience, 1e-4, 0, 0);
        }
        if (kind.equals("constant")) {
            return LearningRateSchedule.constant(learningRate);
        }
        if (kind.startsWith("multistep:")) {
            try {
                int[] milestones = Arrays.stream(kind.substring("multistep:".length()).split(","))
                        .map(String::trim).mapToInt(Integer::parseInt).toArray();
                return LearningRateSchedule.multiStep(learningRate, milestones, gamma);
            } catch (NumberFormatException e) {
                // reported below with the expected form
            }
        }
        throw new IllegalArgumentException("invalid --schedule '" + schedule + "': expected plateau, constant or"
                + " multistep:E1,E2,...");
    }
}
