package org.shufflenet3d.video;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A spatial transform with nothing left to draw: the same function for every frame. A deterministic transform is
 * its own {@link #forClip}.
 */
@FunctionalInterface
public interface FrameTransform extends SpatialTransform {

    /** The transformed frame; {@code frame} itself is left as it was. */
    RgbFrame apply(RgbFrame frame);

    /** Every frame of a clip transformed alike, in order. */
    default List<RgbFrame> applyToClip(List<RgbFrame> frames) {
        return frames.stream().map(frame -> apply(Objects.requireNonNull(frame, "frame"))).toList();
    }

    /** This transform: nothing to draw. */
    @Override
    default FrameTransform forClip(RandomGenerator random) {
        return this;
    }
}
