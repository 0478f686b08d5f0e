package org.shufflenet3d.video;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The reference's {@code MultiScaleRandomCrop} ({@code --train_crop random}): per clip, a scale drawn uniformly
 * from {@code scales} and a position {@code (x, y)} uniform in [0, 1)²; on every frame, a square of side
 * {@code s = (int) (shorter side * scale)} whose top-left corner is {@code (x * (W - s), y * (H - s))}, then
 * resized bilinearly to {@code size} x {@code size}.
 */
public record MultiScaleRandomCrop(List<Double> scales, int size) implements SpatialTransform {

    public MultiScaleRandomCrop {
        scales = CropScales.checked(scales);
        CropScales.checkSize(size);
    }

    @Override
    public Fixed forClip(RandomGenerator random) {
        return new Fixed(scales.get(random.nextInt(scales.size())), random.nextDouble(), random.nextDouble(), size);
    }

    /**
     * The crop at one drawn scale and position. As in the reference the box
     * {@code (x * (W - s), y * (H - s), x * (W - s) + s, y * (H - s) + s)} stays fractional and PIL rounds each
     * coordinate half to even ({@link FrameOps#crop(RgbFrame, double, double, double, double)}), so a box starting
     * at an exact half may be one pixel wider or narrower than {@code s} before the resize.
     */
    public record Fixed(double scale, double x, double y, int size) implements FrameTransform {

        public Fixed {
            CropScales.check(scale);
            if (!(x >= 0 && x <= 1) || !(y >= 0 && y <= 1)) {
                throw new IllegalArgumentException("a random crop's position (x, y) must lie in [0, 1], got ("
                        + x + ", " + y + ")");
            }
            CropScales.checkSize(size);
        }

        @Override
        public RgbFrame apply(RgbFrame frame) {
            int side = CropScales.cropSide(frame, scale);
            double left = x * (frame.width() - side);
            double top = y * (frame.height() - side);
            return FrameOps.resize(FrameOps.crop(frame, left, top, left + side, top + side), size, size);
        }
    }
}
