package org.shufflenet3d.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Files a reader is given, checked before they are opened. */
public final class InputFiles {

    private InputFiles() {
    }

    /** The file, or a NoSuchFileException naming it when it is not a regular file. */
    public static Path require(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        return file;
    }
}
