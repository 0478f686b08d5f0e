package org.shufflenet3d.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/** Zip archives (.npz, PyTorch's zip checkpoints, training checkpoints) opened with errors that say what is wrong. */
public final class ZipArchives {

    private ZipArchives() {
    }

    /**
     * {@code file} opened as a zip archive whose entry names are UTF-8 (or plain ASCII).
     *
     * @param expected what the file should be, for the error message
     * @throws MalformedFileException when it is not a zip archive, is damaged, or names its entries otherwise
     */
    public static ZipFile open(Path file, String expected) throws IOException {
        InputFiles.require(file);
        try {
            return new ZipFile(file.toFile(), StandardCharsets.UTF_8);
        } catch (ZipException | IllegalArgumentException e) {
            if (opensWithOtherNames(file)) {
                throw new MalformedFileException(file + ": a zip archive whose entry names are not UTF-8; expected "
                        + expected, e);
            }
            throw new MalformedFileException(file + ": damaged zip archive (" + e.getMessage() + "); expected "
                    + expected, e);
        }
    }

    private static boolean opensWithOtherNames(Path file) {
        try (ZipFile latin1 = new ZipFile(file.toFile(), StandardCharsets.ISO_8859_1)) {
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }
}
