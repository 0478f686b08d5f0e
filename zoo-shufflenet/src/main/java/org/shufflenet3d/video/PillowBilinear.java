package org.shufflenet3d.video;

/**
 * Pillow's bilinear resampling of 8-bit images ({@code Image.resize(size, Image.BILINEAR)}, libImaging's
 * {@code Resample.c}), reproduced operation for operation so that the bytes equal Pillow's: checked against
 * Pillow 9.4 on noise frames scaled up, down, by large factors and along one dimension only (the fixtures of
 * {@code generate_transform_fixtures.py}).
 *
 * <p>Each output column (then row) {@code xx} is a weighted sum of the input pixels around
 * {@code center = (xx + 0.5) * scale}, {@code scale = inSize / outSize}, with the triangle filter
 * {@code max(0, 1 - |t|)} stretched by {@code max(scale, 1)} (so downscaling averages every input pixel it
 * covers), over the pixels from {@code (int) (center - support + 0.5)} to {@code (int) (center + support + 0.5)}
 * (clipped to the image). The weights, normalised to sum to 1, become 22-bit fixed point ({@code round half away
 * from zero}); a pixel is {@code (2^21 + Σ value·weight) >> 22} clamped to 0–255. The horizontal pass runs first,
 * into an 8-bit intermediate holding only the rows the vertical pass reads; a dimension that keeps its size is
 * not resampled at all.
 */
final class PillowBilinear {

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final int HALF = 1 << (PRECISION_BITS - 1);

    private PillowBilinear() {
    }

    /** The fixed-point weights of every output position of one dimension: a window of input positions each. */
    private record Coefficients(int windowSize, int[] first, int[] count, int[] weights) {

        static Coefficients of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale;
            int windowSize = (int) Math.ceil(support) * 2 + 1;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[] weights = new int[outSize * windowSize];
            double[] window = new double[windowSize];
            for (int out = 0; out < outSize; out++) {
                double center = (out + 0.5) * scale;
                int min = Math.max(0, (int) (center - support + 0.5));
                int n = Math.min(inSize, (int) (center + support + 0.5)) - min;
                double sum = 0;
                for (int x = 0; x < n; x++) {
                    double w = triangle((x + min - center + 0.5) / filterScale);
                    window[x] = w;
                    sum += w;
                }
                for (int x = 0; x < n; x++) {
                    double w = sum != 0.0 ? window[x] / sum : window[x];
                    weights[out * windowSize + x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                            : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                first[out] = min;
                count[out] = n;
            }
            return new Coefficients(windowSize, first, count, weights);
        }

        private static double triangle(double t) {
            double distance = Math.abs(t);
            return distance < 1.0 ? 1.0 - distance : 0.0;
        }
    }

    /** {@code frame} resized to {@code width} x {@code height}; the frame itself when the size is unchanged. */
    static RgbFrame resize(RgbFrame frame, int width, int height) {
        boolean horizontal = width != frame.width();
        boolean vertical = height != frame.height();
        if (!horizontal && !vertical) {
            return frame;
        }
        if (!vertical) {
            return new RgbFrame(width, height,
                    resampleRows(frame.pixels(), frame.width(), 0, height, Coefficients.of(frame.width(), width)));
        }
        Coefficients rows = Coefficients.of(frame.height(), height);
        if (!horizontal) {
            return new RgbFrame(width, height, resampleColumns(frame.pixels(), width, 0, rows));
        }
        int firstRow = rows.first()[0];
        int endRow = rows.first()[height - 1] + rows.count()[height - 1];
        byte[] intermediate = resampleRows(frame.pixels(), frame.width(), firstRow, endRow,
                Coefficients.of(frame.width(), width));
        return new RgbFrame(width, height, resampleColumns(intermediate, width, firstRow, rows));
    }

    /** Rows {@code firstRow} (inclusive) to {@code endRow} (exclusive), each resampled along its width. */
    private static byte[] resampleRows(byte[] in, int inWidth, int firstRow, int endRow, Coefficients columns) {
        int outWidth = columns.first().length;
        byte[] out = new byte[3 * outWidth * (endRow - firstRow)];
        int[] weights = columns.weights();
        int o = 0;
        for (int y = firstRow; y < endRow; y++) {
            int row = 3 * y * inWidth;
            for (int x = 0; x < outWidth; x++) {
                int k = x * columns.windowSize();
                int p = row + 3 * columns.first()[x];
                int r = HALF;
                int g = HALF;
                int b = HALF;
                for (int i = 0, n = columns.count()[x]; i < n; i++, p += 3) {
                    int w = weights[k + i];
                    r += (in[p] & 0xFF) * w;
                    g += (in[p + 1] & 0xFF) * w;
                    b += (in[p + 2] & 0xFF) * w;
                }
                out[o++] = clip8(r);
                out[o++] = clip8(g);
                out[o++] = clip8(b);
            }
        }
        return out;
    }

    /** Every column resampled along its height; {@code in}'s first row is row {@code firstRow} of the image. */
    private static byte[] resampleColumns(byte[] in, int width, int firstRow, Coefficients rows) {
        int outHeight = rows.first().length;
        int stride = 3 * width;
        byte[] out = new byte[stride * outHeight];
        int[] weights = rows.weights();
        int o = 0;
        for (int y = 0; y < outHeight; y++) {
            int k = y * rows.windowSize();
            int top = (rows.first()[y] - firstRow) * stride;
            int n = rows.count()[y];
            for (int c = 0; c < stride; c++) {
                int sum = HALF;
                for (int i = 0, p = top + c; i < n; i++, p += stride) {
                    sum += (in[p] & 0xFF) * weights[k + i];
                }
                out[o++] = clip8(sum);
            }
        }
        return out;
    }

    private static byte clip8(int value) {
        return (byte) Math.max(0, Math.min(255, value >> PRECISION_BITS));
    }
}
