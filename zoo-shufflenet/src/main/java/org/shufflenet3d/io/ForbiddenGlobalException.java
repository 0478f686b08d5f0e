package org.shufflenet3d.io;

/** A checkpoint whose pickle names a Python global that a state_dict never needs: it is not loaded. */
public class ForbiddenGlobalException extends MalformedFileException {
    public ForbiddenGlobalException(String message) {
        super(message);
    }
}
