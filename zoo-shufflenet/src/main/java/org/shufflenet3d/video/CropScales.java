package org.shufflenet3d.video;

import java.util.List;
import java.util.Objects;

/** What the multi-scale crops share: their scales of the shorter side and the side of the square they cut. */
final class CropScales {

    private CropScales() {
    }

    /** The side of a multi-scale crop: {@code (int) (min(width, height) * scale)}, refused when below 1. */
    static int cropSide(RgbFrame frame, double scale) {
        int side = (int) (Math.min(frame.width(), frame.height()) * scale);
        if (side < 1) {
            throw new IllegalArgumentException("a " + frame.width() + "x" + frame.height() + " frame is too small"
                    + " for a crop at scale " + scale + " of its shorter side (less than one pixel)");
        }
        return side;
    }

    static List<Double> checked(List<Double> scales) {
        Objects.requireNonNull(scales, "scales");
        if (scales.isEmpty()) {
            throw new IllegalArgumentException("a multi-scale crop needs at least one scale");
        }
        scales.forEach(CropScales::check);
        return List.copyOf(scales);
    }

    static void check(double scale) {
        if (!(scale > 0 && scale <= 1)) {
            throw new IllegalArgumentException("a crop scale is a fraction of the shorter side in (0, 1], got "
                    + scale);
        }
    }

    static void checkSize(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a multi-scale crop needs a positive output size, got " + size);
        }
    }
}
