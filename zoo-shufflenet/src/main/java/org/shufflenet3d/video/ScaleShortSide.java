package org.shufflenet3d.video;

/**
 * The reference's {@code Scale(size)}: the frame resized bilinearly ({@link FrameOps#resize}) so that its shorter
 * side is {@code size}, the longer side {@code (int) (size * long / short)} (truncated, as Python's {@code int()}).
 * A frame whose shorter side is already {@code size} is returned as it is.
 */
public record ScaleShortSide(int size) implements FrameTransform {

    public ScaleShortSide {
        if (size < 1) {
            throw new IllegalArgumentException("the shorter side must be scaled to a positive size, got " + size);
        }
    }

    @Override
    public RgbFrame apply(RgbFrame frame) {
        int w = frame.width();
        int h = frame.height();
        if ((w <= h && w == size) || (h <= w && h == size)) {
            return frame;
        }
        if (w < h) {
            return FrameOps.resize(frame, size, (int) ((double) ((long) size * h) / w));
        }
        return FrameOps.resize(frame, (int) ((double) ((long) size * w) / h), size);
    }
}
