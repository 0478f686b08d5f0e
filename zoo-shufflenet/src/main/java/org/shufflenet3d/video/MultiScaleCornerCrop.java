package org.shufflenet3d.video;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The reference's {@code MultiScaleCornerCrop}: per clip, a scale drawn uniformly from {@code scales} and a
 * position from {@code positions}; on every frame, a square of side {@code (int) (shorter side * scale)} cut at
 * that position, then resized bilinearly to {@code size} x {@code size}. With {@code positions} only
 * {@link CropPosition#CENTER} it is the reference's {@code --train_crop center}.
 */
public record MultiScaleCornerCrop(List<Double> scales, int size, List<CropPosition> positions)
        implements SpatialTransform {

    public MultiScaleCornerCrop {
        scales = CropScales.checked(scales);
        CropScales.checkSize(size);
        Objects.requireNonNull(positions, "positions");
        if (positions.isEmpty()) {
            throw new IllegalArgumentException("a multi-scale corner crop needs at least one crop position");
        }
        positions = List.copyOf(positions);
    }

    /** Every scale of {@code scales}, at all five positions, as the reference's {@code --train_crop corner}. */
    public MultiScaleCornerCrop(List<Double> scales, int size) {
        this(scales, size, List.of(CropPosition.values()));
    }

    @Override
    public Fixed forClip(RandomGenerator random) {
        return new Fixed(scales.get(random.nextInt(scales.size())), positions.get(random.nextInt(positions.size())),
                size);
    }

    /**
     * The crop at one drawn scale and position. The reference's box: corners flush with the frame's edges; the
     * centre square from {@code (W / 2 - s / 2, H / 2 - s / 2)} to {@code (W / 2 + s / 2, H / 2 + s / 2)} in
     * integer division, so an odd side {@code s} loses a pixel.
     */
    public record Fixed(double scale, CropPosition position, int size) implements FrameTransform {

        public Fixed {
            CropScales.check(scale);
            Objects.requireNonNull(position, "position");
            CropScales.checkSize(size);
        }

        @Override
        public RgbFrame apply(RgbFrame frame) {
            int side = CropScales.cropSide(frame, scale);
            int w = frame.width();
            int h = frame.height();
            RgbFrame crop = switch (position) {
                case CENTER -> FrameOps.crop(frame, w / 2 - side / 2, h / 2 - side / 2, w / 2 + side / 2,
                        h / 2 + side / 2);
                case TOP_LEFT -> FrameOps.crop(frame, 0, 0, side, side);
                case TOP_RIGHT -> FrameOps.crop(frame, w - side, 0, w, side);
                case BOTTOM_LEFT -> FrameOps.crop(frame, 0, h - side, side, h);
                case BOTTOM_RIGHT -> FrameOps.crop(frame, w - side, h - side, w, h);
            };
            return FrameOps.resize(crop, size, size);
        }
    }
}
