package org.shufflenet3d.cli;

import org.shufflenet3d.ClipShape;
import org.shufflenet3d.data.LabeledClips;
import org.shufflenet3d.data.SyntheticMotion;
import picocli.CommandLine.Option;

/** Where clips come from. For now: a generated dataset of squares moving in four directions. */
final class DataOptions {

    private static final String SYNTHETIC = "synthetic";
    private static final long VALIDATION_SEED_OFFSET = 7919;

    @Option(names = "--data", paramLabel = "synthetic", defaultValue = SYNTHETIC,
            description = "The dataset: 'synthetic', squares moving right, left, down or up over noise (default).")
    String data;

    @Option(names = "--train-clips", paramLabel = "N", defaultValue = "96", description = "Training clips (default 96).")
    int trainClips;

    @Option(names = "--val-clips", paramLabel = "N", defaultValue = "48",
            description = "Validation clips (default 48).")
    int validationClips;

    @Option(names = "--data-seed", paramLabel = "S", defaultValue = "1", description = "Seed of the generated data.")
    long seed;

    LabeledClips training(ClipShape clip) {
        requireSynthetic();
        return new SyntheticMotion(trainClips, clip, seed);
    }

    LabeledClips validation(ClipShape clip) {
        requireSynthetic();
        return new SyntheticMotion(validationClips, clip, seed + VALIDATION_SEED_OFFSET);
    }

    private void requireSynthetic() {
        if (!SYNTHETIC.equals(data)) {
            throw new IllegalArgumentException("unknown --data '" + data + "': expected 'synthetic'");
        }
    }
}
