package org.shufflenet3d.video;

import java.util.Objects;

/**
 * The image operations the reference's transforms are made of, with PIL's results: bilinear resizing
 * ({@code Image.resize(size, Image.BILINEAR)}, byte for byte, see {@link #resize}), cropping
 * ({@code Image.crop(box)}, boxes rounded and zero-padded as PIL does) and mirroring
 * ({@code Image.transpose(Image.FLIP_LEFT_RIGHT)}). Frames are never modified; each operation returns a new frame
 * or, where nothing changes, the frame given.
 */
public final class FrameOps {

    private FrameOps() {
    }

    /**
     * {@code frame} resized to {@code width} x {@code height} by Pillow's bilinear filter, the bytes equal to
     * Pillow's {@code Image.resize((width, height), Image.BILINEAR)} (separable, horizontal pass first, 22-bit
     * fixed-point weights; verified against Pillow 9.4). Downscaling widens the filter to cover every input pixel,
     * as Pillow does, so it averages rather than samples. The frame itself when the size is unchanged.
     */
    public static RgbFrame resize(RgbFrame frame, int width, int height) {
        Objects.requireNonNull(frame, "frame");
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a frame can only be resized to a positive width and height, got "
                    + width + "x" + height);
        }
        return PillowBilinear.resize(frame, width, height);
    }

    /**
     * The pixels of {@code frame} in columns {@code left} to {@code right} (exclusive) and rows {@code top} to
     * {@code bottom} (exclusive), as PIL's {@code Image.crop((left, top, right, bottom))}: the box may reach
     * outside the frame, where the result is black (0, 0, 0).
     */
    public static RgbFrame crop(RgbFrame frame, int left, int top, int right, int bottom) {
        Objects.requireNonNull(frame, "frame");
        int width = right - left;
        int height = bottom - top;
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a crop box (left, top, right, bottom) needs right > left and"
                    + " bottom > top, got (" + left + ", " + top + ", " + right + ", " + bottom + ")");
        }
        if (left == 0 && top == 0 && width == frame.width() && height == frame.height()) {
            return frame;
        }
        byte[] in = frame.pixels();
        byte[] out = new byte[3 * width * height];
        int fromColumn = Math.max(left, 0);
        int toColumn = Math.min(right, frame.width());
        if (fromColumn < toColumn) {
            int rowBytes = 3 * (toColumn - fromColumn);
            for (int y = Math.max(top, 0), end = Math.min(bottom, frame.height()); y < end; y++) {
                System.arraycopy(in, 3 * (y * frame.width() + fromColumn),
                        out, 3 * ((y - top) * width + fromColumn - left), rowBytes);
            }
        }
        return new RgbFrame(width, height, out);
    }

    /**
     * PIL's {@code Image.crop} of a box given in fractional pixels: each coordinate rounded to the nearest
     * integer, halves to even (Python's {@code round}), then {@link #crop(RgbFrame, int, int, int, int)}. A box
     * of width 3 from x = 2.5 thus covers columns 2 to 5 (exclusive of 6): 4 columns.
     */
    public static RgbFrame crop(RgbFrame frame, double left, double top, double right, double bottom) {
        for (double coordinate : new double[] {left, top, right, bottom}) {
            if (!Double.isFinite(coordinate) || Math.abs(coordinate) > Integer.MAX_VALUE / 2.0) {
                throw new IllegalArgumentException("a crop box needs finite coordinates of a sensible size, got ("
                        + left + ", " + top + ", " + right + ", " + bottom + ")");
            }
        }
        return crop(frame, (int) Math.rint(left), (int) Math.rint(top), (int) Math.rint(right),
                (int) Math.rint(bottom));
    }

    /** {@code frame} mirrored left to right, as PIL's {@code Image.transpose(Image.FLIP_LEFT_RIGHT)}. */
    public static RgbFrame flipHorizontally(RgbFrame frame) {
        int width = frame.width();
        byte[] in = frame.pixels();
        byte[] out = new byte[in.length];
        for (int y = 0; y < frame.height(); y++) {
            int row = 3 * y * width;
            for (int x = 0; x < width; x++) {
                int from = row + 3 * x;
                int to = row + 3 * (width - 1 - x);
                out[to] = in[from];
                out[to + 1] = in[from + 1];
                out[to + 2] = in[from + 2];
            }
        }
        return new RgbFrame(width, frame.height(), out);
    }
}
