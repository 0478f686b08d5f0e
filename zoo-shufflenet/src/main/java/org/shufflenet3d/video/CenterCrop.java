package org.shufflenet3d.video;

/**
 * The reference's {@code CenterCrop}: the {@code width} x {@code height} pixels in the middle of the frame, the
 * left edge at {@code round((frameWidth - width) / 2)} and the top at {@code round((frameHeight - height) / 2)},
 * halves rounded to even (Python's {@code round}): an odd margin of 3 puts the crop 2 pixels from the left, one of
 * 5 also 2. The crop must fit in the frame (the reference would pad with black; its pipelines always scale first).
 */
public record CenterCrop(int width, int height) implements FrameTransform {

    public CenterCrop {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a centre crop needs a positive width and height, got "
                    + width + "x" + height);
        }
    }

    /** A square crop of side {@code size}. */
    public CenterCrop(int size) {
        this(size, size);
    }

    @Override
    public RgbFrame apply(RgbFrame frame) {
        requireFits(frame, width, height);
        int left = (int) Math.rint((frame.width() - width) / 2.0);
        int top = (int) Math.rint((frame.height() - height) / 2.0);
        return FrameOps.crop(frame, left, top, left + width, top + height);
    }

    /** Refuses a crop of {@code width} x {@code height} larger than {@code frame}. */
    static void requireFits(RgbFrame frame, int width, int height) {
        if (width > frame.width() || height > frame.height()) {
            throw new IllegalArgumentException("cannot crop " + width + "x" + height + " pixels out of a "
                    + frame.width() + "x" + frame.height() + " frame: scale the frame first (ScaleShortSide)");
        }
    }
}
