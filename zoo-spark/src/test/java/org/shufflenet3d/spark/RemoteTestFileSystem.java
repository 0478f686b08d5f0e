package org.shufflenet3d.spark;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under the scheme {@code remote://}: a file system the job must copy videos from, as it does from
 * HDFS or S3. Opening a file whose name starts with {@code explode} fails the task outright (an error no per-video
 * handling catches), to make a job fail.
 */
public final class RemoteTestFileSystem extends RawLocalFileSystem {

    static final String SCHEME = "remote";
    static final AtomicInteger OPENED = new AtomicInteger();

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FSDataInputStream open(Path path, int bufferSize) throws IOException {
        if (path.getName().startsWith("explode")) {
            throw new AssertionError("the test file system fails the task reading " + path);
        }
        OPENED.incrementAndGet();
        return super.open(path, bufferSize);
    }

    static void register(org.apache.hadoop.conf.Configuration conf) {
        conf.set("fs." + SCHEME + ".impl", RemoteTestFileSystem.class.getName());
        conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
    }
}
