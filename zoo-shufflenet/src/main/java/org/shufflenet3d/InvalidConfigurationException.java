package org.shufflenet3d;

/** A network configuration (architecture, width, groups, classes, clip geometry) the reference cannot build. */
public class InvalidConfigurationException extends IllegalArgumentException {
    public InvalidConfigurationException(String message) {
        super(message);
    }
}
