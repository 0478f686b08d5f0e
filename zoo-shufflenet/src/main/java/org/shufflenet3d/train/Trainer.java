package org.shufflenet3d.train;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.WeightMismatchException;
import org.shufflenet3d.data.ClipPrefetcher;
import org.shufflenet3d.data.LabeledClips;
import org.shufflenet3d.io.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Epochs of training as the reference runs them: shuffled mini-batches, an evaluation on the validation clips
 * after each epoch, the learning-rate schedule stepped with the validation loss, a checkpoint every epoch. Shuffling
 * and dropout draw from generators seeded by (seed, epoch), so a run resumed from a checkpoint ends where the
 * uninterrupted run does. A loss that stops being a number ends training with the last good checkpoint kept.
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** Checkpoint file of each epoch, and of the best validation accuracy so far, in the checkpoint directory. */
    public static final String EPOCH_CHECKPOINT = "epoch-%03d.ckpt";
    public static final String BEST_CHECKPOINT = "best.ckpt";
    private static final String LOCK_FILE = ".training.lock";
    private static final int PREFETCHED_BATCHES = 2;

    /**
     * @param checkpoints where checkpoints go; null for none
     */
    public record Settings(int epochs, int batchSize, double dropout, FineTuning portion, long seed, Path checkpoints) {
        public Settings {
            if (epochs < 1 || batchSize < 1 || dropout < 0 || dropout >= 1) {
                throw new IllegalArgumentException("training needs epochs >= 1, a batch size >= 1 and a dropout in"
                        + " [0, 1); got " + epochs + ", " + batchSize + ", " + dropout);
            }
        }
    }

    /** Progress within an epoch, after each step. */
    public record Progress(int epoch, int epochs, int step, int steps, double loss, double accuracy,
            double clipsPerSecond, Duration remaining) {
    }

    /** What an epoch did. {@code validation} is null without validation clips; {@code checkpoint} without a directory. */
    public record EpochReport(int epoch, double trainLoss, double trainAccuracy, double learningRate,
            EvaluationResult validation, Path checkpoint) {
    }

    /** Receives progress; both callbacks run on the training thread. */
    public interface Listener extends Evaluator.Listener {
        default void onStep(Progress progress) {
        }

        /** Progress of the validation at an epoch's end. */
        @Override
        default void onBatch(int clipsDone, int clips) {
        }

        /** An epoch's report: where to show each epoch (the log has it at DEBUG only, so it is not shown twice). */
        default void onEpoch(EpochReport report) {
        }
    }

    private final ShuffleNet3d model;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final Settings settings;
    private final TrainingSession session;
    private int epochsDone;
    private double bestAccuracy = Double.NEGATIVE_INFINITY;
    private Path lastCheckpoint;

    public Trainer(ShuffleNet3d model, Optimizer optimizer, LearningRateSchedule schedule, Settings settings) {
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.settings = settings;
        this.session = new TrainingSession(model, optimizer, settings.portion(), settings.dropout());
    }

    /** Continues from a checkpoint written by a trainer of the same network, optimiser kind and schedule kind. */
    public void resumeFrom(Path checkpoint) throws IOException {
        TrainingCheckpoint state = TrainingCheckpoint.read(checkpoint);
        if (!state.config().equals(model.config()) || !state.clip().equals(model.clipShape())) {
            throw new WeightMismatchException(checkpoint + " is a checkpoint of " + state.config().describe()
                    + " for clips 3x" + state.clip() + "; the model is " + model.config().describe() + " for 3x"
                    + model.clipShape());
        }
        model.loadWeights(state.weights());
        optimizer.restore(state.optimizerState());
        schedule.restore(state.scheduleState());
        epochsDone = state.epoch();
        bestAccuracy = state.bestAccuracy();
        lastCheckpoint = checkpoint;
        LOG.info("resuming after epoch {} from {}", epochsDone, checkpoint);
    }

    public ShuffleNet3d model() {
        return model;
    }

    /**
     * Trains the remaining epochs; returns each epoch's report. The checkpoint directory, when there is one, is
     * this run's alone while it trains (another run writing to it is refused), and the temporary files of
     * checkpoints an interrupted run was writing are deleted first.
     */
    public List<EpochReport> fit(LabeledClips train, LabeledClips validation, Listener listener) throws IOException {
        check(train, "training");
        if (validation != null) {
            check(validation, "validation");
        }
        try (Closeable checkpointsOwned = ownCheckpoints()) {
            List<EpochReport> reports = new ArrayList<>();
            while (epochsDone < settings.epochs()) {
                EpochReport report = epoch(train, validation, listener);
                reports.add(report);
                listener.onEpoch(report);
            }
            return reports;
        }
    }

    private Closeable ownCheckpoints() throws IOException {
        Path directory = settings.checkpoints();
        if (directory == null) {
            return () -> { };
        }
        Files.createDirectories(directory);
        FileChannel channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IOException(directory + " is in use by another training run; expected a checkpoint folder"
                    + " of this run's own");
        }
        AtomicFiles.deleteTemporaryFiles(directory, "epoch-*.ckpt");
        AtomicFiles.deleteTemporaryFiles(directory, BEST_CHECKPOINT);
        FileLock held = lock;
        return () -> {
            held.release();
            channel.close();
        };
    }

    private EpochReport epoch(LabeledClips train, LabeledClips validation, Listener listener) throws IOException {
        int epoch = epochsDone + 1;
        double learningRate = schedule.learningRate();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(mix(settings.seed(), epoch, 1)));
        Random dropout = new Random(mix(settings.seed(), epoch, 2));
        int steps = (order.size() + settings.batchSize() - 1) / settings.batchSize();
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        long start = System.nanoTime();
        List<int[]> batches = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            batches.add(order.subList(step * settings.batchSize(),
                    Math.min(order.size(), (step + 1) * settings.batchSize())).stream().mapToInt(i -> i).toArray());
        }
        long clipSeeds = mix(settings.seed(), epoch, 3);
        try (ClipPrefetcher prefetcher = new ClipPrefetcher(batches,
                index -> train.trainingClip(index, mix(clipSeeds, index, 0)), model.clipShape(), model.dataType(),
                ClipPrefetcher.DEFAULT_THREADS, PREFETCHED_BATCHES)) {
            for (int step = 0; step < steps; step++) {
                INDArray clips = prefetcher.next();
                int[] labels = Arrays.stream(batches.get(step)).map(train::label).toArray();
                TrainingSession.StepResult result = session.step(clips, labels, learningRate, dropout);
                if (!Double.isFinite(result.loss())) {
                    throw new TrainingDivergedException(String.format(Locale.ROOT, "the loss became %s at epoch %d,"
                            + " step %d, at learning rate %g: training stopped; %s", result.loss(), epoch, step + 1,
                            learningRate, lastCheckpoint == null ? "no checkpoint was written yet"
                                    : "the last good checkpoint is " + lastCheckpoint));
                }
                INDArray predicted = result.logits().argMax(1);
                for (int i = 0; i < labels.length; i++) {
                    correct += predicted.getInt(i) == labels[i] ? 1 : 0;
                }
                seen += labels.length;
                lossSum += result.loss() * labels.length;
                double seconds = (System.nanoTime() - start) / 1e9;
                double perStep = seconds / (step + 1);
                long remaining = (long) (perStep * ((steps - step - 1) + (long) steps * (settings.epochs() - epoch)));
                listener.onStep(new Progress(epoch, settings.epochs(), step + 1, steps, lossSum / seen,
                        (double) correct / seen, seen / seconds, Duration.ofSeconds(remaining)));
            }
        }
        EvaluationResult evaluation = validation == null ? null
                : Evaluator.evaluate(model, validation, settings.batchSize(), listener);
        double trainLoss = lossSum / seen;
        schedule.epochEnded(evaluation == null ? trainLoss : evaluation.loss());
        epochsDone = epoch;
        Path checkpoint = null;
        double accuracy = evaluation == null ? (double) correct / seen : evaluation.top1();
        boolean best = accuracy > bestAccuracy;
        bestAccuracy = Math.max(bestAccuracy, accuracy);
        if (settings.checkpoints() != null) {
            TrainingCheckpoint state = new TrainingCheckpoint(model.config(), model.clipShape(), epoch, bestAccuracy,
                    model.weights(), optimizer.state(), schedule.state());
            checkpoint = settings.checkpoints().resolve(String.format(Locale.ROOT, EPOCH_CHECKPOINT, epoch));
            // the best first: a run stopped between the two resumes from the epoch before and writes it again
            if (best) {
                state.write(settings.checkpoints().resolve(BEST_CHECKPOINT));
            }
            state.write(checkpoint);
            lastCheckpoint = checkpoint;
        }
        LOG.debug(String.format(Locale.ROOT, "epoch %d/%d: loss %.4f, accuracy %.3f, lr %g%s", epoch,
                settings.epochs(), trainLoss, (double) correct / seen, learningRate, evaluation == null ? ""
                        : String.format(Locale.ROOT, ", validation loss %.4f, top-1 %.3f", evaluation.loss(),
                                evaluation.top1())));
        return new EpochReport(epoch, trainLoss, (double) correct / seen, learningRate, evaluation, checkpoint);
    }

    private void check(LabeledClips data, String what) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("the " + what + " set is empty");
        }
        if (data.numClasses() != model.config().numClasses()) {
            throw new IllegalArgumentException("the " + what + " set has " + data.numClasses() + " classes, the model "
                    + model.config().numClasses() + ": replace the classifier (ShuffleNet3d.withNewClassifier)");
        }
        if (!data.clipShape().equals(model.clipShape())) {
            throw new IllegalArgumentException("the " + what + " clips are 3x" + data.clipShape() + ", the model takes 3x"
                    + model.clipShape());
        }
        for (int i = 0; i < data.size(); i++) {
            int label = data.label(i);
            if (label < 0 || label >= data.numClasses()) {
                throw new IllegalArgumentException("the " + what + " set's clip " + i + " has label " + label
                        + ", out of range for " + data.numClasses() + " classes (0.." + (data.numClasses() - 1) + ")");
            }
        }
    }

    private static long mix(long seed, int epoch, int stream) {
        return seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + stream;
    }
}
