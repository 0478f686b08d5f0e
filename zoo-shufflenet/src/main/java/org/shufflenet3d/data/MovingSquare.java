package org.shufflenet3d.data;

import java.util.List;

/**
 * The square both generated datasets move ({@link SyntheticMotion}'s clips, {@link MovingShapeVideos}' video files):
 * its four directions, which are the classes, and how it is painted. Each dataset keeps its own background and
 * path: noise redrawn every frame for clips, a smooth gradient that survives video compression for files.
 */
final class MovingSquare {

    /** The directions, by label: the datasets' class names. */
    static final List<String> DIRECTIONS = List.of("right", "left", "down", "up");
    /** Per-direction unit steps along rows and columns. */
    static final int[] ROW_STEP = {0, 0, 1, -1};
    static final int[] COLUMN_STEP = {1, -1, 0, 0};

    /** What painting does to one pixel, by row and column. */
    @FunctionalInterface
    interface Pixel {
        void paint(int row, int column);
    }

    private MovingSquare() {
    }

    /** Paints the {@code side} x {@code side} square whose top left pixel is at ({@code top}, {@code left}). */
    static void paint(int top, int left, int side, Pixel pixel) {
        for (int y = top; y < top + side; y++) {
            for (int x = left; x < left + side; x++) {
                pixel.paint(y, x);
            }
        }
    }
}
