package org.shufflenet3d.spark;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A video named by a path or URI, as a local file FFmpeg can open: a local file as it is, anything else (HDFS, S3,
 * ...) copied to a temporary file that {@link #close} deletes.
 */
final class LocalVideo implements AutoCloseable {

    private final java.nio.file.Path file;
    private final boolean temporary;

    private LocalVideo(java.nio.file.Path file, boolean temporary) {
        this.file = file;
        this.temporary = temporary;
    }

    /** The video {@code entry} names, relative entries taken from {@code base} (when not null). */
    static LocalVideo of(String entry, String base, Configuration conf) throws IOException {
        Path path = new Path(entry);
        if (!path.isAbsolute() && path.toUri().getScheme() == null && base != null) {
            path = new Path(new Path(base), entry);
        }
        FileSystem fs = path.getFileSystem(conf);
        Path qualified = fs.makeQualified(path);
        if ("file".equals(qualified.toUri().getScheme())) {
            return new LocalVideo(java.nio.file.Path.of(qualified.toUri()), false);
        }
        String name = qualified.getName();
        java.nio.file.Path copy = Files.createTempFile("shufflenet3d-video-", "-" + name);
        boolean copied = false;
        try (InputStream in = fs.open(qualified)) {
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            copied = true;
        } finally {
            if (!copied) {
                Files.deleteIfExists(copy); // whatever stopped the copy, an interrupted task's included
            }
        }
        return new LocalVideo(copy, true);
    }

    java.nio.file.Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        if (temporary) {
            Files.deleteIfExists(file);
        }
    }
}
