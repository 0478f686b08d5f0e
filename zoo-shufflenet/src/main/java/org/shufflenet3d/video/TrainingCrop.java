package org.shufflenet3d.video;

/** The reference's training crops ({@code --train_crop}), all multi-scale over {@link SpatialPipeline#SCALES}. */
public enum TrainingCrop {
    /** {@link MultiScaleRandomCrop}: anywhere in the frame (the reference's published runs). */
    RANDOM,
    /** {@link MultiScaleCornerCrop} at one of the four corners or the centre (the reference's default option). */
    CORNER,
    /** {@link MultiScaleCornerCrop} always at the centre. */
    CENTER,
    /**
     * No multi-scale crop: the validation crop (short side scaled, centre square), for data whose cue a smaller crop
     * can cut out. Not one of the reference's options.
     */
    NONE
}
