package org.shufflenet3d.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import org.shufflenet3d.ShuffleNet3d;
import org.shufflenet3d.data.VideoIndex;
import org.shufflenet3d.video.VideoClassifier;

/**
 * Prediction or embedding of every video of a corpus as a Spark job, one output row per video (see
 * {@link OutputFormat#schema}). Everything that can be checked before a task starts is: the output directory, the
 * weights (read and built into the network on the driver), the class names and the input's videos. The weights
 * are then broadcast once and each executor builds the network once ({@link ExecutorModels}).
 */
public final class VideoCorpusJob {

    /** Weights files above this size are refused: they are broadcast as one array. */
    static final long MAX_WEIGHTS_BYTES = Integer.MAX_VALUE - 64;

    /**
     * What a job did: how many videos it saw, how many of them have an error instead of a result, and how long
     * the Spark job that computed and wrote the rows took (what is checked and loaded before it is not counted).
     */
    public record Summary(long videos, long failed, double jobSeconds) {
    }

    private VideoCorpusJob() {
    }

    /**
     * Runs {@code settings}' task on the videos {@code input} names (see {@link VideoInputs}) with the network
     * {@code weights} holds (a .pth checkpoint, .npz state_dict or .sd model, on any Hadoop file system), class
     * names from the local file {@code labels} (null: the label numbers), and writes the rows to the directory
     * {@code output} in {@code format}; an existing {@code output} is replaced only when {@code overwrite}.
     */
    public static Summary run(SparkSession spark, String input, String weights, Path labels, String output,
            OutputFormat format, boolean overwrite, JobSettings settings) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        OutputDirectory directory = OutputDirectory.prepare(output, overwrite, conf);
        org.apache.hadoop.fs.Path weightsPath = new org.apache.hadoop.fs.Path(weights);
        byte[] weightBytes = readWeights(weightsPath, conf);
        ShuffleNet3d network = ModelSource.load(weightBytes, weightsPath.getName(), settings.clips().shape());
        JobSettings job = settings.task() == JobSettings.Task.PREDICT
                ? settings.withClassNames(classNames(labels, network)) : settings;
        VideoInputs videos = VideoInputs.of(spark, input, settings.partitions());

        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> shipped = context.broadcast(weightBytes);
        Broadcast<SerializableConfiguration> hadoop = context.broadcast(new SerializableConfiguration(conf));
        ModelSource source = new ModelSource(weightsPath.getName(), sha256(weightBytes), shipped,
                settings.clips().frames(), settings.clips().size());
        ExecutorModels.put(source, network);
        LongAccumulator failed = spark.sparkContext().longAccumulator("videos that could not be read");
        double jobSeconds;
        boolean committed = false;
        try {
            JavaRDD<Row> rows = videos.entries().mapPartitions(new VideoRows(job, source, hadoop, videos.base(),
                    failed));
            Dataset<Row> table = spark.createDataFrame(rows, OutputFormat.schema(job.task()));
            int ranks = Math.min(job.top(), network.config().numClasses());
            DataFrameWriter<Row> writer = format.shape(table, job.task(), ranks).write().format(format.sparkName());
            if (format == OutputFormat.CSV) {
                writer = writer.option("header", "true");
            }
            long start = System.nanoTime();
            writer.save(directory.temporary());
            jobSeconds = (System.nanoTime() - start) / 1e9;
            directory.commit();
            committed = true;
        } finally {
            if (!committed) {
                directory.abandon();
            }
            shipped.destroy();
            hadoop.destroy();
        }
        return new Summary(videos.count(), failed.value(), jobSeconds);
    }

    private static byte[] readWeights(org.apache.hadoop.fs.Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        FileStatus status;
        try {
            status = fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("--weights " + path + " does not exist; expected a checkpoint (.pth),"
                    + " .npz state_dict or saved model (.sd)");
        }
        if (status.isDirectory() || status.getLen() > MAX_WEIGHTS_BYTES) {
            throw new IllegalArgumentException("--weights " + path + " is " + (status.isDirectory() ? "a directory"
                    : status.getLen() + " bytes") + "; expected a checkpoint (.pth), .npz state_dict or saved model"
                    + " (.sd) of at most " + MAX_WEIGHTS_BYTES + " bytes");
        }
        try (InputStream in = fs.open(path)) {
            return in.readNBytes((int) status.getLen());
        }
    }

    private static List<String> classNames(Path labels, ShuffleNet3d network) {
        int classes = network.config().numClasses();
        if (labels == null) {
            return VideoClassifier.numberedClasses(classes);
        }
        List<String> names = VideoIndex.readClassIndex(labels);
        if (names.size() != classes) {
            throw new IllegalArgumentException("--labels " + labels + " names " + names.size()
                    + " classes but the model has " + classes);
        }
        return names;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
