package org.shufflenet3d.video;

/** A video or frame folder that is missing, unreadable, empty, or not in a form this module reads. */
public class InvalidVideoException extends RuntimeException {

    public InvalidVideoException(String message) {
        super(message);
    }

    public InvalidVideoException(String message, Throwable cause) {
        super(message, cause);
    }
}
