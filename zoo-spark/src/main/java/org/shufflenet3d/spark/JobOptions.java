package org.shufflenet3d.spark;

import org.shufflenet3d.video.ClipNormalization;
import picocli.CommandLine.Option;

/** The options {@code predict} and {@code embed} share: where things are, how Spark runs, how clips are cut. */
final class JobOptions {

    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "The model: a checkpoint (.pth), .npz state_dict or saved model (.sd); a path or a URI"
                    + " (hdfs://, s3a://, ...).")
    String weights;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "The directory to write, one row per video (refused when it exists, unless --overwrite).")
    String output;

    @Option(names = "--format", paramLabel = "parquet|csv|json", defaultValue = "parquet",
            description = "Output format (default parquet).")
    OutputFormat format;

    @Option(names = "--overwrite", description = "Replace --output when it exists (once the job has succeeded).")
    boolean overwrite;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: spark-submit's, else local[*]: this machine's cores).")
    String master;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "0",
            description = "Parts the videos are split into (default: four per core, at most one per video).")
    int partitions;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "8", description = "Clips per forward pass (default 8).")
    int batch;

    @Option(names = "--frames", paramLabel = "D", defaultValue = "16", description = "Frames per clip (default 16).")
    int frames;

    @Option(names = "--size", paramLabel = "S", defaultValue = "112",
            description = "Clips are S x S pixels (default 112).")
    int size;

    @Option(names = "--downsample", paramLabel = "N", defaultValue = "1",
            description = "Take every N-th frame (default 1).")
    int downsample;

    @Option(names = "--mean", paramLabel = "activitynet|kinetics|none", defaultValue = "activitynet",
            description = "Mean subtracted from the pixels (default activitynet).")
    ClipNormalization.Mean mean;

    @Option(names = "--std-norm", description = "Also divide by the reference's standard deviation.")
    boolean stdNorm;

    @Option(names = "--norm-value", paramLabel = "V", defaultValue = "1",
            description = "Divide pixels by V first: 1 keeps 0-255 (default), 255 gives 0-1.")
    double normValue;

    @Option(names = "--bgr", description = "Feed channels as blue, green, red (the reference's Kinetics models).")
    boolean bgr;

    @Option(names = "--decode-short-side", paramLabel = "PIXELS", defaultValue = "0",
            description = "Scale videos to this short side (1 to 4096) while decoding (default 0: as stored, frames"
                    + " larger than 4 times --size scaled down to that).")
    int decodeShortSide;

    ClipSettings clips() {
        return new ClipSettings(frames, size, downsample, mean, stdNorm, normValue, bgr, decodeShortSide);
    }
}
