package org.shufflenet3d.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file completely to a temporary sibling, then renames it into place: never a half-written file. The
 * content is flushed to the disk before the rename and the rename before returning, so that a crash leaves either
 * the old file or the new one. A new file gets the permissions the process's umask gives; a replaced file keeps
 * its own. A symbolic link is written through (the file it points to is replaced, the link kept); a directory, a
 * device or any other target that is not a regular file is refused.
 *
 * <p>Temporary files are named {@code .<name><digits>.partial} beside their target; a process killed while writing
 * leaves one behind, which {@link #deleteTemporaryFiles} removes.
 */
public final class AtomicFiles {

    private static final String TEMPORARY_SUFFIX = ".partial";
    private static final int MAX_LINKS = 40;

    /** What writes the content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** What writes the whole file at a path it is given. */
    @FunctionalInterface
    public interface FileContent {
        void writeTo(Path file) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void write(Path target, Content content) throws IOException {
        writeFile(target, temporary -> {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                content.writeTo(out);
            }
        });
    }

    public static void writeFile(Path target, FileContent content) throws IOException {
        Path destination = destination(target);
        Path directory = destination.getParent();
        Files.createDirectories(directory);
        Path temporary = createTemporary(directory, destination.getFileName().toString());
        try {
            content.writeTo(temporary);
            keepPermissions(destination, temporary);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(temporary, destination, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, destination, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(directory);
        } catch (IOException e) {
            boolean named = e.getMessage() != null && e.getMessage().contains(target.toString());
            if (named || !(e.getClass() == IOException.class || e instanceof FileSystemException)) {
                throw e; // already says what went wrong with what, as a MalformedFileException of the content does
            }
            throw new IOException("cannot write " + target + ": " + reason(e), e);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * Checks, before any work is done, that {@link #writeFile} could write {@code target}: it is a regular file or
     * does not exist yet (a symbolic link to one of these), and the folder it goes in is writable or can be
     * created in a writable folder.
     *
     * @throws IOException naming the target and what is wrong
     */
    public static void requireWritable(Path target) throws IOException {
        Path destination = destination(target);
        Path folder = destination.getParent();
        while (!Files.exists(folder)) {
            folder = folder.getParent();
        }
        if (!Files.isDirectory(folder)) {
            throw new FileSystemException(target.toString(), null, folder + " is not a folder; expected a path"
                    + " whose parent folders are folders");
        }
        try {
            Files.delete(createTemporary(folder, destination.getFileName().toString()));
        } catch (IOException e) {
            throw new FileSystemException(target.toString(), null, "cannot write in " + folder + " ("
                    + reason(e) + ")");
        }
    }

    /**
     * Deletes the temporary files that writes of targets named by {@code glob} (for example {@code epoch-*.ckpt})
     * left in {@code directory} when they did not finish. Only for a directory no other process is writing to.
     */
    public static void deleteTemporaryFiles(Path directory, String glob) throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(directory,
                "." + glob + "*" + TEMPORARY_SUFFIX)) {
            for (Path leftover : leftovers) {
                if (Files.isRegularFile(leftover, LinkOption.NOFOLLOW_LINKS)) {
                    Files.deleteIfExists(leftover);
                }
            }
        }
    }

    /** Where writing {@code target} puts the file: symbolic links followed; refused unless a regular file or new. */
    private static Path destination(Path target) throws IOException {
        Path path = target.toAbsolutePath();
        for (int links = 0; Files.isSymbolicLink(path); links++) {
            if (links == MAX_LINKS) {
                throw new FileSystemException(target.toString(), null, "too many levels of symbolic links");
            }
            path = path.getParent().resolve(Files.readSymbolicLink(path));
        }
        if (Files.exists(path)) {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new FileSystemException(target.toString(), null, "is " + (attributes.isDirectory()
                        ? "a folder" : "a device or another special file") + ", not a regular file; expected the"
                        + " path of a file to write");
            }
        }
        return path;
    }

    private static Path createTemporary(Path directory, String name) throws IOException {
        while (true) {
            Path temporary = directory.resolve("." + name + Long.toUnsignedString(ThreadLocalRandom.current()
                    .nextLong()) + TEMPORARY_SUFFIX);
            try {
                return Files.createFile(temporary);
            } catch (FileAlreadyExistsException e) {
                // another name
            }
        }
    }

    private static void keepPermissions(Path destination, Path temporary) throws IOException {
        PosixFileAttributeView existing = Files.getFileAttributeView(destination, PosixFileAttributeView.class);
        if (existing != null && Files.exists(destination)) {
            Files.setPosixFilePermissions(temporary, existing.readAttributes().permissions());
        }
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be opened or synced; the rename itself has happened
        }
    }

    /** What went wrong, without the path a file-system error starts with. */
    static String reason(IOException e) {
        if (e instanceof FileSystemException fileSystem) {
            if (fileSystem.getReason() != null) {
                return fileSystem.getReason();
            }
            if (e instanceof AccessDeniedException) {
                return "permission denied";
            }
            if (e instanceof NoSuchFileException) {
                return "no such file or folder";
            }
            return e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
