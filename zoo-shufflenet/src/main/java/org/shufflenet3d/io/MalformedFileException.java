package org.shufflenet3d.io;

import java.io.IOException;

/** A file that exists but is not what it should be: truncated, of a foreign format, or holding the wrong data. */
public class MalformedFileException extends IOException {
    public MalformedFileException(String message) {
        super(message);
    }

    public MalformedFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
