package org.shufflenet3d.spark;

import java.io.Serializable;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.video.ClipNormalization;
import org.shufflenet3d.video.TrainingCrop;
import org.shufflenet3d.video.VideoClips;
import org.shufflenet3d.video.VideoReader;

/**
 * How videos are cut into test clips, as values that travel to the executors: {@code frames} frames of
 * {@code size} x {@code size}, every {@code downsample}-th frame, the pixels normalised as {@link ClipNormalization}
 * says, videos decoded as stored or scaled to a short side of {@code decodeShortSide} (0: as stored). The defaults
 * and meanings are the single-machine {@code predict}'s.
 */
public record ClipSettings(int frames, int size, int downsample, ClipNormalization.Mean mean, boolean stdNorm,
        double normValue, boolean bgr, int decodeShortSide) implements Serializable {

    /** The reference's test clips: 16 frames of 112x112, ActivityNet mean, RGB, pixels 0-255. */
    public static final ClipSettings DEFAULT = new ClipSettings(16, 112, 1, ClipNormalization.Mean.ACTIVITYNET,
            false, 1, false, 0);

    public ClipSettings {
        if (frames < 1 || size < 1) {
            throw new IllegalArgumentException("clips need at least 1 frame of at least 1x1 pixels, got --frames "
                    + frames + " --size " + size);
        }
        if (downsample < 1) {
            throw new IllegalArgumentException("--downsample must be at least 1, got " + downsample);
        }
        if (decodeShortSide < 0 || decodeShortSide > VideoReader.MAX_DECODED_SIDE) {
            throw new IllegalArgumentException("--decode-short-side must be 0 (as stored) or 1 to "
                    + VideoReader.MAX_DECODED_SIDE + ", got " + decodeShortSide);
        }
        normalization(mean, stdNorm, normValue, bgr);
    }

    /** The same settings for clips of {@code frames} frames of {@code size} x {@code size}. */
    public ClipSettings withShape(int frames, int size) {
        return new ClipSettings(frames, size, downsample, mean, stdNorm, normValue, bgr, decodeShortSide);
    }

    public ClipShape shape() {
        return new ClipShape(frames, size, size);
    }

    /** The clips these settings cut (test clips only: the training crop and flip are never used). */
    public VideoClips videoClips() {
        VideoReader reader = decodeShortSide == 0 ? VideoReader.asStored()
                : VideoReader.scalingShortSideTo(decodeShortSide);
        return new VideoClips(shape(), new VideoClips.Preprocessing(reader, downsample, TrainingCrop.CORNER, false,
                normalization(mean, stdNorm, normValue, bgr)));
    }

    private static ClipNormalization normalization(ClipNormalization.Mean mean, boolean stdNorm, double normValue,
            boolean bgr) {
        return ClipNormalization.of(mean, stdNorm, normValue,
                bgr ? ClipNormalization.ChannelOrder.BGR : ClipNormalization.ChannelOrder.RGB);
    }
}
