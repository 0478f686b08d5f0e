package org.shufflenet3d.train;

/** Training stopped because the loss stopped being a number; the last good checkpoint is kept. */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
