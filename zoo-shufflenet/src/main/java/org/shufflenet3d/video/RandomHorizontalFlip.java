package org.shufflenet3d.video;

import java.util.random.RandomGenerator;

/**
 * The reference's {@code RandomHorizontalFlip}: per clip, with probability 1/2, every frame mirrored left to
 * right ({@link FrameOps#flipHorizontally}). Leave it out for data whose classes tell left from right (Jester's
 * "swiping left" mirrored is "swiping right").
 */
public record RandomHorizontalFlip() implements SpatialTransform {

    @Override
    public Fixed forClip(RandomGenerator random) {
        return new Fixed(random.nextBoolean());
    }

    /** The drawn choice: every frame mirrored, or every frame as it is. */
    public record Fixed(boolean flipped) implements FrameTransform {

        @Override
        public RgbFrame apply(RgbFrame frame) {
            return flipped ? FrameOps.flipHorizontally(frame) : frame;
        }
    }
}
