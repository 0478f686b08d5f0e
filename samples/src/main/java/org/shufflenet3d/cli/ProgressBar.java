package org.shufflenet3d.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import org.shufflenet3d.train.Trainer;

/**
 * A one-line progress bar on the error stream, redrawn in place, for training, evaluation and a command's videos;
 * {@link #clear} removes it before another line is printed.
 */
final class ProgressBar implements Trainer.Listener {

    private static final int WIDTH = 24;

    private final PrintWriter err;
    private final PrintWriter out;
    private boolean drawn;

    ProgressBar(PrintWriter err, PrintWriter out) {
        this.err = err;
        this.out = out;
    }

    @Override
    public void onStep(Trainer.Progress p) {
        int filled = (int) Math.round(WIDTH * (double) p.step() / p.steps());
        err.printf(Locale.ROOT, "\repoch %d/%d [%s%s] %d/%d  loss %.4f  acc %.3f  %.1f clips/s  left %s   ",
                p.epoch(), p.epochs(), "=".repeat(filled), " ".repeat(WIDTH - filled), p.step(), p.steps(), p.loss(),
                p.accuracy(), p.clipsPerSecond(), format(p.remaining()));
        err.flush();
        drawn = true;
    }

    @Override
    public void onBatch(int clipsDone, int clips) {
        int filled = (int) Math.round(WIDTH * (double) clipsDone / clips);
        err.printf(Locale.ROOT, "\revaluating [%s%s] %d/%d clips   ", "=".repeat(filled), " ".repeat(WIDTH - filled),
                clipsDone, clips);
        err.flush();
        drawn = true;
        if (clipsDone == clips) {
            clear();
        }
    }

    @Override
    public void onEpoch(Trainer.EpochReport r) {
        clear();
        out.printf(Locale.ROOT, "epoch %d: loss %.4f, accuracy %.3f, lr %g", r.epoch(), r.trainLoss(),
                r.trainAccuracy(), r.learningRate());
        if (r.validation() != null) {
            out.printf(Locale.ROOT, ", validation loss %.4f, top-1 %.3f", r.validation().loss(), r.validation().top1());
        }
        if (r.checkpoint() != null) {
            out.print(", saved " + r.checkpoint());
        }
        out.println();
        out.flush();
    }

    /** Videos done of all. */
    void onVideos(int done, int videos) {
        int filled = (int) Math.round(WIDTH * (double) done / videos);
        err.printf(Locale.ROOT, "\rvideos [%s%s] %d/%d   ", "=".repeat(filled), " ".repeat(WIDTH - filled), done,
                videos);
        err.flush();
        drawn = true;
    }

    /** Removes the bar, if one is drawn, so that the next line printed starts on a clean line. */
    void clear() {
        if (drawn) {
            err.print("\r" + " ".repeat(100) + "\r");
            err.flush();
            drawn = false;
        }
    }

    private static String format(Duration d) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }
}
