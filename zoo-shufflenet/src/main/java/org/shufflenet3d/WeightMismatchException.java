package org.shufflenet3d;

/** Weights whose names or shapes do not match the network they are loaded into. */
public class WeightMismatchException extends IllegalArgumentException {
    public WeightMismatchException(String message) {
        super(message);
    }
}
