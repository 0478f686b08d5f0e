package org.shufflenet3d.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing through a temporary file: what is replaced, what is refused, permissions, links and leftovers. */
class AtomicFilesTest {

    @TempDir
    Path dir;

    private static void writeText(Path target, String text) throws IOException {
        AtomicFiles.write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aNewFileGetsThePermissionsOfAnyNewFile() throws IOException {
        Path written = dir.resolve("written.txt");
        writeText(written, "new");

        Path plain = Files.createFile(dir.resolve("plain.txt"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(written));
        assertEquals("new", Files.readString(written));
    }

    @Test
    void aReplacedFileKeepsItsPermissions() throws IOException {
        for (String permissions : List.of("rw-r--r--", "rw-r-----", "rwxr-xr-x")) {
            Path file = Files.writeString(dir.resolve("kept-" + permissions + ".txt"), "old");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));

            writeText(file, "new");

            assertEquals(permissions, PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("new", Files.readString(file));
        }
    }

    @Test
    void aSymbolicLinkIsWrittenThrough() throws IOException {
        Path real = Files.writeString(Files.createDirectories(dir.resolve("real")).resolve("model.npz"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.npz"), Path.of("real/model.npz"));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.npz"), Path.of("real/new.npz"));

        writeText(link, "through the link");
        writeText(dangling, "to where it points");

        assertTrue(Files.isSymbolicLink(link));
        assertEquals("through the link", Files.readString(real));
        assertTrue(Files.isSymbolicLink(dangling));
        assertEquals("to where it points", Files.readString(dir.resolve("real/new.npz")));
    }

    @Test
    void aFolderAPipeOrALinkLoopIsNotReplaced() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("folder.csv"));
        Path loop = Files.createSymbolicLink(dir.resolve("loop.csv"), Path.of("loop.csv"));
        assertRefused(folder, "is a folder, not a regular file");
        assertRefused(loop, "too many levels of symbolic links");
        assertTrue(Files.isDirectory(folder));

        Path pipe = dir.resolve("pipe.csv");
        Assumptions.assumeTrue(new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0,
                "mkfifo makes a named pipe");
        assertRefused(pipe, "is a device or another special file, not a regular file");
        assertFalse(Files.isRegularFile(pipe, LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void whatCannotBeWrittenIsFoundBeforeAnyWork() throws IOException {
        Path file = Files.writeString(dir.resolve("file.txt"), "a file, not a folder");
        AtomicFiles.requireWritable(dir.resolve("new/deeper/out.csv"));
        AtomicFiles.requireWritable(file);

        IOException underAFile = assertThrows(IOException.class,
                () -> AtomicFiles.requireWritable(file.resolve("out.csv")));
        assertTrue(underAFile.getMessage().contains("is not a folder"), underAFile.getMessage());
        assertFalse(Files.exists(dir.resolve("new")), "nothing is created by the check");
        assertEquals(List.of(), leftovers());

        Path readOnly = Path.of("/proc");
        Assumptions.assumeTrue(Files.isDirectory(readOnly), "/proc is a folder no one can add files to");
        IOException notWritable = assertThrows(IOException.class,
                () -> AtomicFiles.requireWritable(readOnly.resolve("out.csv")));
        assertTrue(notWritable.getMessage().startsWith("/proc/out.csv: cannot write in /proc"),
                notWritable.getMessage());
    }

    @Test
    void aFailedWriteNamesTheFileAndTheCauseAndKeepsTheOldFile() throws IOException {
        Path file = Files.writeString(dir.resolve("model.sd"), "old");

        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write(1);
            throw new IOException("No space left on device");
        }));

        assertEquals("cannot write " + file + ": No space left on device", e.getMessage());
        assertEquals("old", Files.readString(file));
        assertEquals(List.of(), leftovers());

        MalformedFileException content = new MalformedFileException("download: a damaged file");
        assertEquals(content, assertThrows(MalformedFileException.class, () -> AtomicFiles.write(file, out -> {
            throw content;
        })), "what the content says of itself is kept");
    }

    @Test
    void temporaryFilesLeftByAnInterruptedWriteAreDeleted() throws IOException {
        Path stale = Files.writeString(dir.resolve(".epoch-003.ckpt8141592.partial"), "half");
        Path staleBest = Files.writeString(dir.resolve(".best.ckpt77.partial"), "half");
        Path checkpoint = Files.writeString(dir.resolve("epoch-002.ckpt"), "whole");
        Path other = Files.writeString(dir.resolve(".model.sd12.partial"), "someone else's");

        AtomicFiles.deleteTemporaryFiles(dir, "epoch-*.ckpt");
        AtomicFiles.deleteTemporaryFiles(dir, "best.ckpt");

        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(staleBest));
        assertTrue(Files.exists(checkpoint));
        assertTrue(Files.exists(other));
    }

    private void assertRefused(Path target, String expected) {
        IOException e = assertThrows(IOException.class, () -> writeText(target, "text"));
        assertTrue(e.getMessage().startsWith(target + ": " + expected), e.getMessage());
        IOException early = assertThrows(IOException.class, () -> AtomicFiles.requireWritable(target));
        assertEquals(e.getMessage(), early.getMessage());
    }

    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".partial")).toList();
        }
    }
}
