package org.shufflenet3d.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.shufflenet3d.video.VideoReader;

/**
 * The videos a job's INPUT names, as Hadoop's file systems resolve them (local paths, {@code hdfs://},
 * {@code s3a://}, ...): a folder (searched below for video files), a glob, a single video, or a listing: a
 * {@code .txt} file of one path or URI a line (blank lines and lines starting with {@code #} skipped) or a
 * {@code .csv} file with a header whose {@code path} column (else its first) names them. Relative entries of a
 * listing are taken from the listing's folder.
 *
 * @param entries the videos, as the user will see them in the output's {@code path} column
 * @param base the folder relative entries are resolved against (null when every entry is absolute)
 * @param count the number of entries
 */
record VideoInputs(JavaRDD<String> entries, String base, long count) {

    static final String EXPECTED = "expected a folder or glob of videos (" + String.join(", ",
            VideoReader.VIDEO_EXTENSIONS.stream().sorted().toList()) + "), a video, or a .txt or .csv file listing"
            + " paths or URIs";

    /** The videos {@code input} names, in {@code partitions} partitions (0: as many as suit the cluster). */
    static VideoInputs of(SparkSession spark, String input, int partitions) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(conf);
        String name = path.getName().toLowerCase(Locale.ROOT);
        boolean glob = input.chars().anyMatch(c -> "*?[{".indexOf(c) >= 0);
        if (!glob && (name.endsWith(".txt") || name.endsWith(".csv")) && !status(fs, path, input).isDirectory()) {
            return listing(spark, input, fs.makeQualified(path), name.endsWith(".csv"), partitions);
        }
        return found(spark, input, fs, path, glob, partitions);
    }

    /** The videos a folder, a glob or a single file names, listed on the driver. */
    private static VideoInputs found(SparkSession spark, String input, FileSystem fs, Path path, boolean glob,
            int partitions) throws IOException {
        List<String> videos = new ArrayList<>();
        FileStatus[] matches = glob ? fs.globStatus(path) : new FileStatus[] {status(fs, path, input)};
        if (matches == null || matches.length == 0) {
            throw new IllegalArgumentException("INPUT " + input + " matches nothing; " + EXPECTED);
        }
        Arrays.sort(matches);
        for (FileStatus match : matches) {
            if (match.isDirectory()) {
                List<String> below = new ArrayList<>();
                RemoteIterator<LocatedFileStatus> files = fs.listFiles(match.getPath(), true);
                while (files.hasNext()) {
                    Path file = files.next().getPath();
                    if (isVideoName(file.getName())) {
                        below.add(display(file));
                    }
                }
                below.sort(null);
                videos.addAll(below);
            } else if (glob || isVideoName(match.getPath().getName())) {
                videos.add(display(match.getPath()));
            } else {
                throw new IllegalArgumentException("INPUT " + input + " is neither a video nor a listing; " + EXPECTED);
            }
        }
        if (videos.isEmpty()) {
            throw new IllegalArgumentException("INPUT " + input + " holds no videos; " + EXPECTED);
        }
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return new VideoInputs(context.parallelize(videos, partitions(spark, partitions, videos.size())), null,
                videos.size());
    }

    private static VideoInputs listing(SparkSession spark, String input, Path file, boolean csv, int partitions) {
        Dataset<String> lines;
        if (csv) {
            Dataset<Row> table = spark.read().option("header", "true").csv(file.toString());
            List<String> columns = Arrays.asList(table.columns());
            if (columns.isEmpty()) {
                throw new IllegalArgumentException("INPUT " + input + " is empty; expected a CSV file with a header"
                        + " and a 'path' column (or paths in its first column)");
            }
            String column = columns.contains("path") ? "path" : columns.get(0);
            lines = table.select(functions.col("`" + column + "`")).as(Encoders.STRING());
        } else {
            lines = spark.read().textFile(file.toString());
        }
        JavaRDD<String> entries = lines.javaRDD()
                .filter(line -> line != null && !line.isBlank() && !line.strip().startsWith("#"))
                .map(String::strip);
        long count = entries.count();
        if (count == 0) {
            throw new IllegalArgumentException("INPUT " + input + " lists no videos; expected " + (csv
                    ? "a CSV file with a header and a 'path' column (or paths in its first column)"
                    : "one path or URI a line"));
        }
        return new VideoInputs(entries.repartition(partitions(spark, partitions, count)),
                file.getParent().toString(), count);
    }

    /**
     * Partitions for {@code videos} videos: as asked, else four per core of the cluster (so that a partition of
     * long videos does not keep the others waiting), never more than there are videos.
     */
    private static int partitions(SparkSession spark, int asked, long videos) {
        long wanted = asked > 0 ? asked : 4L * spark.sparkContext().defaultParallelism();
        return (int) Math.max(1, Math.min(wanted, videos));
    }

    private static FileStatus status(FileSystem fs, Path path, String input) throws IOException {
        try {
            return fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("INPUT " + input + " does not exist; " + EXPECTED);
        }
    }

    private static boolean isVideoName(String name) {
        int dot = name.lastIndexOf('.');
        return !name.startsWith(".") && !name.startsWith("_") && dot > 0
                && VideoReader.VIDEO_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** A local file as its path, anything else as its URI. */
    static String display(Path path) {
        return "file".equals(path.toUri().getScheme()) ? path.toUri().getPath() : path.toString();
    }
}
