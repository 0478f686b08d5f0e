package org.shufflenet3d.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.WeightMismatchException;
import org.shufflenet3d.data.LabeledClips;
import org.shufflenet3d.data.SyntheticMotion;

/** Epochs, checkpoints, resuming, and what stops training. */
class TrainerTest {

    private static final ClipShape CLIP = new ClipShape(8, 16, 16);

    @TempDir
    Path dir;

    private static ShuffleNet3d model() {
        return ShuffleNet3d.create(ShuffleNetConfig.v2(0.25, 4), CLIP, 5);
    }

    private Trainer trainer(ShuffleNet3d model, int epochs, Path checkpoints, double learningRate) {
        return new Trainer(model, SgdOptimizer.reference(), LearningRateSchedule.multiStep(learningRate, new int[] {2}, 0.1),
                new Trainer.Settings(epochs, 4, 0.2, FineTuning.COMPLETE, 11, checkpoints));
    }

    @Test
    void resumingFromACheckpointEndsWhereTheUninterruptedRunEnds() throws IOException {
        LabeledClips train = new SyntheticMotion(8, CLIP, 1);
        LabeledClips validation = new SyntheticMotion(4, CLIP, 2);
        ShuffleNet3d uninterrupted = model();
        trainer(uninterrupted, 3, Files.createDirectories(dir.resolve("a")), 0.01).fit(train, validation,
                new Trainer.Listener() { });

        ShuffleNet3d first = model();
        trainer(first, 2, Files.createDirectories(dir.resolve("b")), 0.01).fit(train, validation,
                new Trainer.Listener() { });
        ShuffleNet3d resumed = model();
        Trainer rest = trainer(resumed, 3, dir.resolve("b"), 0.01);
        rest.resumeFrom(dir.resolve("b").resolve("epoch-002.ckpt"));
        List<Trainer.EpochReport> reports = rest.fit(train, validation, new Trainer.Listener() { });
        assertEquals(1, reports.size());
        assertEquals(3, reports.get(0).epoch());
        assertEquals(0.001, reports.get(0).learningRate(), 1e-12, "the schedule's state was restored");
        Map<String, INDArray> expected = uninterrupted.weights();
        resumed.weights().forEach((name, value) -> assertEquals(expected.get(name), value, name));
    }

    @Test
    void everyEpochIsCheckpointedCompletelyAndTheBestKept() throws IOException {
        List<Trainer.EpochReport> reports = trainer(model(), 2, dir, 0.01)
                .fit(new SyntheticMotion(8, CLIP, 1), new SyntheticMotion(4, CLIP, 2), new Trainer.Listener() { });
        assertEquals(dir.resolve("epoch-001.ckpt"), reports.get(0).checkpoint());
        TrainingCheckpoint second = TrainingCheckpoint.read(dir.resolve("epoch-002.ckpt"));
        assertEquals(2, second.epoch());
        assertEquals(ShuffleNetConfig.v2(0.25, 4), second.config());
        assertFalse(second.optimizerState().isEmpty());
        assertTrue(Files.exists(dir.resolve(Trainer.BEST_CHECKPOINT)));
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.toString().endsWith(".partial")), "temporary files left");
        }
    }

    @Test
    void aRunDeletesTheTemporaryFilesAnInterruptedRunLeftAndOwnsItsFolder() throws IOException {
        Path stale = Files.writeString(dir.resolve(".epoch-003.ckpt4172.partial"), "half a checkpoint");
        Path staleBest = Files.writeString(dir.resolve(".best.ckpt99.partial"), "half a checkpoint");
        Path foreign = Files.writeString(dir.resolve(".notes.txt1.partial"), "not ours");

        trainer(model(), 1, dir, 0.01).fit(new SyntheticMotion(4, CLIP, 1), null, new Trainer.Listener() { });

        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(staleBest));
        assertTrue(Files.exists(foreign));
        try (FileChannel channel = FileChannel.open(dir.resolve(".training.lock"), StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            IOException e = assertThrows(IOException.class, () -> trainer(model(), 1, dir, 0.01)
                    .fit(new SyntheticMotion(4, CLIP, 1), null, new Trainer.Listener() { }));
            assertTrue(e.getMessage().contains(dir + " is in use by another training run"), e.getMessage());
        }
    }

    @Test
    void theBestCheckpointIsWrittenBeforeTheEpochsOne() throws IOException {
        // an epoch checkpoint that cannot be written stands for a run stopped between the two writes
        Files.createDirectories(dir.resolve("epoch-001.ckpt"));

        assertThrows(IOException.class, () -> trainer(model(), 1, dir, 0.01)
                .fit(new SyntheticMotion(4, CLIP, 1), null, new Trainer.Listener() { }));

        assertEquals(1, TrainingCheckpoint.read(dir.resolve(Trainer.BEST_CHECKPOINT)).epoch(),
                "a run resumed from the epoch before writes the best again; one resumed from this epoch finds it");
    }

    @Test
    void aLossThatIsNotANumberStopsTrainingAndKeepsTheLastCheckpoint() throws IOException {
        ShuffleNet3d model = model();
        LabeledClips train = new SyntheticMotion(8, CLIP, 1);
        trainer(model, 1, dir, 0.01).fit(train, null, new Trainer.Listener() { });
        byte[] good = Files.readAllBytes(dir.resolve("epoch-001.ckpt"));
        Trainer diverging = new Trainer(model, SgdOptimizer.reference(), LearningRateSchedule.constant(1e30),
                new Trainer.Settings(3, 4, 0.2, FineTuning.COMPLETE, 11, dir));
        diverging.resumeFrom(dir.resolve("epoch-001.ckpt"));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> diverging.fit(train, null, new Trainer.Listener() { }));
        assertTrue(e.getMessage().contains("the last good checkpoint is " + dir.resolve("epoch-001.ckpt")),
                e.getMessage());
        assertTrue(java.util.Arrays.equals(good, Files.readAllBytes(dir.resolve("epoch-001.ckpt"))));
    }

    @Test
    void badDataAndForeignCheckpointsAreRefused() throws IOException {
        Trainer trainer = trainer(model(), 1, null, 0.01);
        LabeledClips empty = new SyntheticMotion(1, CLIP, 1) {
            @Override
            public int size() {
                return 0;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(empty, null, new Trainer.Listener() { }));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        LabeledClips badLabel = new SyntheticMotion(4, CLIP, 1) {
            @Override
            public int label(int index) {
                return index == 2 ? 9 : super.label(index);
            }
        };
        e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(badLabel, null, new Trainer.Listener() { }));
        assertTrue(e.getMessage().contains("clip 2 has label 9, out of range for 4 classes"), e.getMessage());

        trainer(model(), 1, dir, 0.01).fit(new SyntheticMotion(4, CLIP, 1), null, new Trainer.Listener() { });
        ShuffleNet3d other = ShuffleNet3d.create(ShuffleNetConfig.v2(0.5, 4), CLIP);
        Trainer foreign = new Trainer(other, SgdOptimizer.reference(), LearningRateSchedule.constant(0.01),
                new Trainer.Settings(2, 4, 0.2, FineTuning.COMPLETE, 1, null));
        WeightMismatchException mismatch = assertThrows(WeightMismatchException.class,
                () -> foreign.resumeFrom(dir.resolve("epoch-001.ckpt")));
        assertTrue(mismatch.getMessage().contains("checkpoint of shufflenetv2 0.25x, 4 classes"), mismatch.getMessage());
    }
}
