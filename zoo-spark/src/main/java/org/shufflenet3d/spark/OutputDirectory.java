package org.shufflenet3d.spark;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A job's output directory, written under a hidden temporary sibling and renamed to its name only when complete,
 * so that a failed job leaves nothing under the name and an existing directory is replaced (with
 * {@code --overwrite}) only by a complete one.
 */
final class OutputDirectory {

    private final FileSystem fs;
    private final Path target;
    private final Path temporary;
    private final boolean overwrite;

    private OutputDirectory(FileSystem fs, Path target, boolean overwrite) {
        this.fs = fs;
        this.target = target;
        this.overwrite = overwrite;
        this.temporary = sibling("tmp");
    }

    /** {@code output}, refused when it exists unless {@code overwrite}. */
    static OutputDirectory prepare(String output, boolean overwrite, Configuration conf) throws IOException {
        Path path = new Path(output);
        FileSystem fs = path.getFileSystem(conf);
        OutputDirectory directory = new OutputDirectory(fs, fs.makeQualified(path), overwrite);
        directory.requireAbsentUnlessOverwriting();
        return directory;
    }

    /** Where the job writes. */
    String temporary() {
        return temporary.toString();
    }

    /** Moves the complete output to its name, replacing what was there when overwriting. */
    void commit() throws IOException {
        requireAbsentUnlessOverwriting();
        Path previous = null;
        if (fs.exists(target)) {
            previous = sibling("old");
            rename(target, previous);
        }
        try {
            rename(temporary, target);
        } catch (IOException e) {
            if (previous != null) {
                fs.rename(previous, target);
            }
            throw e;
        }
        if (previous != null) {
            fs.delete(previous, true);
        }
    }

    /** Deletes what a failed job wrote. */
    void abandon() {
        try {
            fs.delete(temporary, true);
        } catch (IOException e) {
            // the hidden temporary directory is left behind; the output's name is untouched either way
        }
    }

    private void requireAbsentUnlessOverwriting() throws IOException {
        if (!overwrite && fs.exists(target)) {
            throw new IllegalArgumentException("--output " + VideoInputs.display(target)
                    + " exists; choose another directory or give --overwrite to replace it");
        }
    }

    private void rename(Path from, Path to) throws IOException {
        if (!fs.rename(from, to)) {
            throw new IOException("could not rename " + VideoInputs.display(from) + " to " + VideoInputs.display(to));
        }
    }

    private Path sibling(String kind) {
        return new Path(target.getParent(), "." + target.getName() + "." + kind + "-" + UUID.randomUUID());
    }
}
