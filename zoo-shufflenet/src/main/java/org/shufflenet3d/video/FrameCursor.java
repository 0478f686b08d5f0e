package org.shufflenet3d.video;

/**
 * The frames of one video read in order, one at a time, from an open decoder: only the frame just decoded is held.
 * Not thread-safe; close it when done.
 */
interface FrameCursor extends AutoCloseable {

    /** The index (from 0) of the frame {@link #next} or {@link #skip} reads next: the number of frames passed. */
    int position();

    /** The next frame, or null after the last one. */
    RgbFrame next();

    /** Passes over the next frame without converting its pixels; false when there was none. */
    boolean skip();

    @Override
    void close();
}
