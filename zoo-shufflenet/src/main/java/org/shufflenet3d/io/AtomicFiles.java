package org.shufflenet3d.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a file completely to a temporary sibling, then renames it into place: never a half-written file. */
public final class AtomicFiles {

    /** What writes the content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /** What writes the whole file at a path it is given. */
    @FunctionalInterface
    public interface FileContent {
        void writeTo(Path file) throws IOException;
    }

    public static void write(Path target, Content content) throws IOException {
        writeFile(target, temporary -> {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                content.writeTo(out);
            }
        });
    }

    public static void writeFile(Path target, FileContent content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        if (directory != null) {
            Files.createDirectories(directory);
        }
        Path temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".partial");
        try {
            content.writeTo(temporary);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
