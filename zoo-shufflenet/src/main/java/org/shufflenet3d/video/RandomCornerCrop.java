package org.shufflenet3d.video;

import java.util.random.RandomGenerator;

/**
 * The reference's {@code CornerCrop(size)} without a position: per clip, one of the five {@link CropPosition}s,
 * each with probability 1/5, then {@link CornerCrop} at that position for every frame.
 */
public record RandomCornerCrop(int size) implements SpatialTransform {

    public RandomCornerCrop {
        if (size < 1) {
            throw new IllegalArgumentException("a corner crop needs a positive size, got " + size);
        }
    }

    @Override
    public CornerCrop forClip(RandomGenerator random) {
        CropPosition[] positions = CropPosition.values();
        return new CornerCrop(size, positions[random.nextInt(positions.length)]);
    }
}
