package org.shufflenet3d;

/** An input clip whose rank, channel count or size does not fit the network it is given to. */
public class InvalidClipException extends IllegalArgumentException {
    public InvalidClipException(String message) {
        super(message);
    }
}
