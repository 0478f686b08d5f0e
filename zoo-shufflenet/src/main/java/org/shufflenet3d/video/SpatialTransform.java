package org.shufflenet3d.video;

import java.util.random.RandomGenerator;

/**
 * A spatial transform of the reference's kind: per clip it draws its random parameters (if it has any), then
 * applies the same parameters to every frame of the clip, as the reference's {@code randomize_parameters()} once
 * per clip followed by the transform on each frame.
 *
 * <pre>{@code
 * FrameTransform transform = SpatialPipeline.training(112, TrainingCrop.RANDOM, true).forClip(random);
 * List<RgbFrame> clip = transform.applyToClip(frames);
 * }</pre>
 *
 * Transforms are immutable and hold no random state: the caller passes the generator (seeded for reproducible
 * clips), so one transform can serve several threads, each with its own generator.
 */
public interface SpatialTransform {

    /** This transform with its random parameters drawn from {@code random} for one clip. */
    FrameTransform forClip(RandomGenerator random);
}
