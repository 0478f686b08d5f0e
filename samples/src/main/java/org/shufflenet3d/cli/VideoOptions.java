package org.shufflenet3d.cli;

import org.shufflenet3d.ClipShape;
import org.shufflenet3d.video.ClipNormalization;
import org.shufflenet3d.video.TrainingCrop;
import org.shufflenet3d.video.VideoClips;
import org.shufflenet3d.video.VideoReader;
import picocli.CommandLine.Option;

/** How videos are decoded and cut into clips; the defaults are the reference's. */
final class VideoOptions {

    @Option(names = "--downsample", paramLabel = "N", defaultValue = "1",
            description = "Take every N-th frame (default 1).")
    int downsample;

    @Option(names = "--train-crop", paramLabel = "corner|random|center|none", defaultValue = "corner",
            description = "Multi-scale training crop: corner (default), random or center; none: the validation crop.")
    TrainingCrop trainCrop;

    @Option(names = "--no-flip", description = "Never flip training clips (for classes that tell left from right,"
            + " as Jester's and the demo's).")
    boolean noFlip;

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
            description = "Scale video files to this short side (1 to 4096) while decoding, as the reference's"
                    + " frame extraction did with 240 (default 0: as stored, frames larger than 4 times --size scaled"
                    + " down to that).")
    int decodeShortSide;

    VideoClips clips(ClipShape shape) {
        return new VideoClips(shape, preprocessing());
    }

    VideoClips.Preprocessing preprocessing() {
        VideoReader reader = decodeShortSide == 0 ? VideoReader.asStored()
                : VideoReader.scalingShortSideTo(decodeShortSide);
        ClipNormalization normalization = ClipNormalization.of(mean, stdNorm, normValue,
                bgr ? ClipNormalization.ChannelOrder.BGR : ClipNormalization.ChannelOrder.RGB);
        return new VideoClips.Preprocessing(reader, downsample, trainCrop, !noFlip, normalization);
    }
}
