package org.shufflenet3d.video;

import java.util.Objects;

/**
 * The reference's {@code CornerCrop} at a fixed position: a {@code size} x {@code size} square in a corner of the
 * frame, or in its middle placed as {@link CenterCrop} places it. The square must fit in the frame. For a position
 * drawn per clip see {@link RandomCornerCrop}.
 */
public record CornerCrop(int size, CropPosition position) implements FrameTransform {

    public CornerCrop {
        if (size < 1) {
            throw new IllegalArgumentException("a corner crop needs a positive size, got " + size);
        }
        Objects.requireNonNull(position, "position");
    }

    @Override
    public RgbFrame apply(RgbFrame frame) {
        if (position == CropPosition.CENTER) {
            return new CenterCrop(size).apply(frame);
        }
        CenterCrop.requireFits(frame, size, size);
        int left = position == CropPosition.TOP_LEFT || position == CropPosition.BOTTOM_LEFT ? 0
                : frame.width() - size;
        int top = position == CropPosition.TOP_LEFT || position == CropPosition.TOP_RIGHT ? 0
                : frame.height() - size;
        return FrameOps.crop(frame, left, top, left + size, top + size);
    }
}
