package org.shufflenet3d.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.data.LabeledClips;
import org.shufflenet3d.data.MovingShapeVideos;
import org.shufflenet3d.data.VideoDataset;
import org.shufflenet3d.data.VideoIndex;
import org.shufflenet3d.io.AtomicFiles;
import org.shufflenet3d.train.EvaluationResult;
import org.shufflenet3d.train.Evaluator;
import org.shufflenet3d.train.FineTuning;
import org.shufflenet3d.train.LearningRateSchedule;
import org.shufflenet3d.train.SgdOptimizer;
import org.shufflenet3d.train.Trainer;
import org.shufflenet3d.video.ClipNormalization;
import org.shufflenet3d.video.TrainingCrop;
import org.shufflenet3d.video.VideoClassifier;
import org.shufflenet3d.video.VideoClips;
import org.shufflenet3d.video.VideoReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The end-to-end demo, which needs no download: it writes a labelled dataset of real video files, trains a small
 * ShuffleNet V2 on them, evaluates it, saves it, and classifies one video with the saved model.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "End to end, with nothing to download: writes videos of squares moving right, left, down or up"
                + " (mp4, FFmpeg), trains ShuffleNet V2 0.25x on them, evaluates it (accuracy, confusion matrix),"
                + " saves it, and classifies one video with the saved model. The default for no command.")
final class DemoCommand implements Callable<Integer> {

    /** Frames per video and per clip: one clip spans a whole video, the square's whole way. */
    private static final int VIDEO_FRAMES = 16;

    @Option(names = "--output", paramLabel = "DIR", defaultValue = "shufflenet3d-demo",
            description = "Where the videos, checkpoints and model go (default shufflenet3d-demo).")
    Path output;

    @Option(names = "--train-videos", paramLabel = "N", defaultValue = "32",
            description = "Training videos per class (default 32).")
    int trainVideos;

    @Option(names = "--val-videos", paramLabel = "N", defaultValue = "8",
            description = "Validation videos per class (default 8).")
    int validationVideos;

    @Option(names = "--epochs", defaultValue = "20", description = "Epochs (default 20).")
    int epochs;

    @Option(names = "--lr", defaultValue = "0.02", description = "Learning rate, held constant (default 0.02).")
    double learningRate;

    @Option(names = "--size", paramLabel = "S", defaultValue = "32",
            description = "Clip frame size S x S (default 32; the reference trains on 112, which is slower).")
    int size;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the videos and of training (default 1).")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ClipShape shape = new ClipShape(VIDEO_FRAMES, size, size);
        int videoWidth = Math.max(size * 5 / 4, 32) / 2 * 2;
        int videoHeight = Math.max(size, 24) / 2 * 2;
        for (String file : new String[] {"model.sd", "model.npz", "classes.txt",
            "checkpoints/" + Trainer.BEST_CHECKPOINT, "videos/train/right/right-000.mp4"}) {
            AtomicFiles.requireWritable(output.resolve(file));
        }

        out.printf(Locale.ROOT, "1. writing %d training and %d validation videos (%dx%d, %d frames, mp4) to %s%n",
                4 * trainVideos, 4 * validationVideos, videoWidth, videoHeight, VIDEO_FRAMES, output.resolve("videos"));
        out.flush();
        ShuffleNet3dCommand.doing("writing the demo's videos");
        VideoIndex train = MovingShapeVideos.write(output.resolve("videos/train"), new MovingShapeVideos.Settings(
                trainVideos, VIDEO_FRAMES, videoWidth, videoHeight, 25, "mp4", seed));
        VideoIndex validation = MovingShapeVideos.write(output.resolve("videos/val"), new MovingShapeVideos.Settings(
                validationVideos, VIDEO_FRAMES, videoWidth, videoHeight, 25, "mp4", seed + 1));

        // Flipping would turn "right" into "left", and the reference's multi-scale crops (down to half the frame) often
        // cut the small square's path out of these small frames: train on the validation crop, without flips.
        VideoClips clips = new VideoClips(shape, new VideoClips.Preprocessing(VideoReader.asStored(), 1,
                TrainingCrop.NONE, false, ClipNormalization.DEFAULT));
        LabeledClips trainClips = VideoDataset.perVideo(train, clips);
        LabeledClips validationClips = VideoDataset.perVideo(validation, clips);
        ShuffleNet3d model = ShuffleNet3d.create(ShuffleNetConfig.v2(0.25, train.classNames().size()), shape,
                seed);
        Path checkpoints = Files.createDirectories(output.resolve("checkpoints"));
        out.printf(Locale.ROOT, "%n2. training %s on 3x%s clips for %d epochs (SGD as the reference's, lr %s)%n",
                model.config().describe(), shape, epochs, learningRate);
        out.flush();
        Trainer trainer = new Trainer(model, SgdOptimizer.reference(), LearningRateSchedule.constant(learningRate),
                new Trainer.Settings(epochs, 8, 0.2, FineTuning.COMPLETE, seed, checkpoints));
        ProgressBar progress = new ProgressBar(spec.commandLine().getErr(), out);
        ShuffleNet3dCommand.doing("training in batches of 8 clips of 3x" + shape);
        trainer.fit(trainClips, validationClips, progress);

        out.printf(Locale.ROOT, "%n3. evaluating on every clip of the %d validation videos%n",
                validation.videos().size());
        LabeledClips testClips = VideoDataset.allClips(validation, clips);
        ShuffleNet3dCommand.doing("evaluating in batches of 8 clips of 3x" + shape);
        EvaluationResult result = Evaluator.evaluate(model, testClips, 8, progress);
        out.print(result.report(testClips.classNames()));

        Path saved = output.resolve("model.sd");
        Path classes = output.resolve("classes.txt");
        ShuffleNet3dCommand.doing("saving the model");
        model.save(saved);
        model.saveWeights(output.resolve("model.npz"));
        AtomicFiles.write(classes, stream -> stream.write((String.join("\n", train.classNames()) + "\n")
                .getBytes(StandardCharsets.UTF_8)));
        out.printf(Locale.ROOT, "%n4. saved %s, %s and the class names in %s%n", saved, output.resolve("model.npz"),
                classes);

        Path video = validation.videos().get(1).path();
        ShuffleNet3dCommand.doing("classifying " + video);
        VideoClassifier classifier = new VideoClassifier(ShuffleNet3d.load(saved), clips, train.classNames(), 8);
        VideoClassifier.Prediction prediction = classifier.classify(video);
        out.printf(Locale.ROOT, "%n5. %s classified by the saved model (%s):%n", video,
                prediction.clips() == 1 ? "1 clip" : prediction.clips() + " clips averaged");
        for (VideoClassifier.Ranked ranked : prediction.top(4)) {
            out.printf(Locale.ROOT, "   %-6s %.4f%n", ranked.name(), ranked.probability());
        }
        out.printf(Locale.ROOT, "%nthe same from the command line:%n  java -jar samples/target/shufflenet3d.jar predict"
                + " %s --weights %s --labels %s --size %d%n", video, saved, classes, size);
        out.flush();
        return 0;
    }
}
