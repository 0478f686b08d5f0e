package org.shufflenet3d.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One decoder per video kept open between clips read in order, so that a video is decoded once. */
class SequentialFramesTest {

    private static final int FRAMES = 100;

    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicInteger decoded = new AtomicInteger();
    private final SequentialFrames frames = new SequentialFrames(video -> new CountingCursor(), frame -> frame);

    /** Frames whose one pixel's red value is the frame's index, counting what is opened, decoded and closed. */
    private final class CountingCursor implements FrameCursor {
        private int position;

        CountingCursor() {
            opened.incrementAndGet();
        }

        @Override
        public int position() {
            return position;
        }

        @Override
        public RgbFrame next() {
            if (position == FRAMES) {
                return null;
            }
            decoded.incrementAndGet();
            return new RgbFrame(1, 1, new byte[] {(byte) position++, 0, 0});
        }

        @Override
        public boolean skip() {
            if (position == FRAMES) {
                return false;
            }
            decoded.incrementAndGet();
            position++;
            return true;
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    @Test
    void windowsReadInOrderDecodeTheVideoOnce() {
        Path video = Path.of("long.mp4");
        for (int begin = 0; begin < FRAMES; begin += 10) {
            List<RgbFrame> window = frames.read(video, new int[] {begin, begin + 2, begin + 4}, begin + 10 >= FRAMES);
            assertEquals(begin + 4, window.get(2).value(0, 0, 0));
        }
        assertEquals(1, opened.get());
        assertEquals(FRAMES - 5, decoded.get(), "every frame up to the last one asked for, once");
        assertEquals(1, closed.get(), "closed after the last window");
    }

    @Test
    void framesBehindTheDecoderOpenTheVideoAgain() {
        Path video = Path.of("long.mp4");
        frames.read(video, new int[] {50}, false);
        List<RgbFrame> earlier = frames.read(video, new int[] {10, 10}, false);

        assertEquals(10, earlier.get(1).value(0, 0, 0));
        assertEquals(2, opened.get());
        assertEquals(1, closed.get());
    }

    @Test
    void onlyAFewIdleDecodersStayOpen() {
        for (int v = 0; v < 3 * SequentialFrames.OPEN_VIDEOS; v++) {
            frames.read(Path.of("video-" + v + ".mp4"), new int[] {0}, false);
        }
        assertEquals(3 * SequentialFrames.OPEN_VIDEOS, opened.get());
        assertEquals(2 * SequentialFrames.OPEN_VIDEOS, closed.get());
    }

    @Test
    void framesPastTheEndAreRefusedAndTheDecoderClosed() {
        InvalidVideoException e = assertThrows(InvalidVideoException.class,
                () -> frames.read(Path.of("short.mp4"), new int[] {FRAMES}, false));

        assertTrue(e.getMessage().contains("which has " + FRAMES + " frames"), e.getMessage());
        assertEquals(1, closed.get());
    }
}
