package org.shufflenet3d.data;

/** A dataset folder, annotation file or class index that is missing, empty, or not in a layout this module reads. */
public class InvalidDatasetException extends RuntimeException {

    public InvalidDatasetException(String message) {
        super(message);
    }
}
