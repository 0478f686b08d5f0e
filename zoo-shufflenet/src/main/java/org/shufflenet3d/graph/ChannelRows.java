package org.shufflenet3d.graph;

import java.nio.ByteBuffer;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A channels-last array seen as rows of C channel values, read and written in blocks of rows (in the array's own
 * type, FLOAT or DOUBLE), for loops that run per channel over every position: one pass over memory where ND4J would
 * run an op per step, each reducing strided columns. Blocks of rows split over the cores for large arrays.
 */
final class ChannelRows {

    /** Values per block: small enough for a few blocks to stay in the core's cache. */
    private static final int BLOCK_VALUES = 8192;
    /** Below this many values one thread is faster than splitting. */
    private static final long VALUES_PER_PART = 1 << 16;

    private final INDArray array;
    private final int channels;
    private final long rows;
    private final long offset;
    private final ByteBuffer bytes;

    private ChannelRows(INDArray array) {
        this.array = array;
        this.channels = (int) array.size(array.rank() - 1);
        this.rows = array.length() / channels;
        this.offset = array.offset();
        this.bytes = array.data().asNio();
    }

    /** The rows of a FLOAT or DOUBLE array whose last axis is the channels, to read: copied when not contiguous. */
    static ChannelRows reading(INDArray array) {
        return writing(isContiguous(array) ? array : array.dup('c'));
    }

    /** The rows of a contiguous FLOAT or DOUBLE array whose last axis is the channels, to write. */
    static ChannelRows writing(INDArray array) {
        if (!isContiguous(array) || (array.dataType() != DataType.FLOAT && array.dataType() != DataType.DOUBLE)
                || array.length() * array.dataType().width() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("expected a contiguous FLOAT or DOUBLE array under 2 GB, got "
                    + array.shapeInfoToString());
        }
        return new ChannelRows(array);
    }

    /** Whether the array's elements are its buffer's, in C order, without gaps (axes of size 1 aside). */
    static boolean isContiguous(INDArray array) {
        long expected = 1;
        for (int axis = array.rank() - 1; axis >= 0; axis--) {
            if (array.size(axis) != 1 && array.stride(axis) != expected) {
                return false;
            }
            expected *= array.size(axis);
        }
        return true;
    }

    int channels() {
        return channels;
    }

    long rows() {
        return rows;
    }

    /** Rows per block. */
    int blockRows() {
        return Math.max(1, BLOCK_VALUES / channels);
    }

    /** A block of rows in the array's own type: {@code floats} for FLOAT arrays, {@code doubles} for DOUBLE. */
    static final class Block {
        final float[] floats;
        final double[] doubles;

        private Block(DataType type, int length) {
            floats = type == DataType.FLOAT ? new float[length] : null;
            doubles = type == DataType.FLOAT ? null : new double[length];
        }
    }

    /** A block of {@link #blockRows} rows, or of all rows when there are fewer. */
    Block newBlock() {
        return new Block(array.dataType(), (int) Math.min(blockRows(), rows) * channels);
    }

    /** Copies rows [first, first + count) into the block (row-major). */
    void read(long first, int count, Block block) {
        int start = Math.toIntExact(offset + first * channels);
        if (block.floats != null) {
            bytes.asFloatBuffer().position(start).get(block.floats, 0, count * channels);
        } else {
            bytes.asDoubleBuffer().position(start).get(block.doubles, 0, count * channels);
        }
    }

    /** Writes the block's values (row-major) to rows [first, first + count). */
    void write(long first, int count, Block block) {
        int start = Math.toIntExact(offset + first * channels);
        if (block.floats != null) {
            bytes.asFloatBuffer().position(start).put(block.floats, 0, count * channels);
        } else {
            bytes.asDoubleBuffer().position(start).put(block.doubles, 0, count * channels);
        }
    }

    /** Work on a range of rows; it returns per-channel sums when it accumulates any. */
    @FunctionalInterface
    interface RowRange {
        double[] run(long first, long last);
    }

    /**
     * Runs {@code work} over all rows, split into ranges over the cores when there are many values, and adds the
     * sums the ranges return, channel by channel ({@code sumsPerChannel} of them per channel).
     */
    static double[] forEachRange(long rows, int channels, int sumsPerChannel, RowRange work) {
        int parts = (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(),
                rows * channels / VALUES_PER_PART));
        IntFunction<double[]> part = p -> work.run(rows * p / parts, rows * (p + 1) / parts);
        if (parts == 1) {
            double[] sums = part.apply(0);
            return sums == null ? new double[sumsPerChannel * channels] : sums;
        }
        return IntStream.range(0, parts).parallel().mapToObj(part).reduce(new double[sumsPerChannel * channels],
                (a, b) -> {
                    double[] sum = new double[a.length];
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] = a[i] + (b == null ? 0 : b[i]);
                    }
                    return sum;
                });
    }

    /** Sets a [C] array from doubles. */
    static void put(INDArray target, double[] values) {
        ChannelRows rows = writing(target);
        Block block = rows.newBlock();
        for (int c = 0; c < values.length; c++) {
            if (block.floats != null) {
                block.floats[c] = (float) values[c];
            } else {
                block.doubles[c] = values[c];
            }
        }
        rows.write(0, 1, block);
    }

    /** A [C] array's values as doubles. */
    static double[] values(INDArray perChannel) {
        ChannelRows rows = reading(perChannel);
        Block block = rows.newBlock();
        rows.read(0, 1, block);
        double[] values = new double[rows.channels()];
        for (int c = 0; c < values.length; c++) {
            values[c] = block.floats != null ? block.floats[c] : block.doubles[c];
        }
        return values;
    }

    /** Per-channel values in a block's type. */
    static float[] floats(double[] values) {
        float[] floats = new float[values.length];
        for (int c = 0; c < values.length; c++) {
            floats[c] = (float) values[c];
        }
        return floats;
    }
}
