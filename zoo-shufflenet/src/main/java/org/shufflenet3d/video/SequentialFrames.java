package org.shufflenet3d.video;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Frames of videos whose clips are read in order, as evaluation reads every consecutive clip of each video: the
 * decoder of a video stays open from one request to the next, so that reading all the clips of a video decodes it
 * once instead of once from its start for each clip. A request for frames behind the decoder's position opens the
 * video anew. At most {@link #OPEN_VIDEOS} idle decoders are kept, the least recently used closed first; each holds
 * one decoded frame at a time. Thread-safe: a decoder serves one request at a time, and a request for a video whose
 * decoder is busy opens another.
 */
final class SequentialFrames {

    /** Idle decoders kept open. */
    static final int OPEN_VIDEOS = 8;

    private final Function<Path, FrameCursor> opener;
    private final FrameTransform transform;
    private final Map<Path, FrameCursor> idle = new LinkedHashMap<>(16, 0.75f, true);

    /** Frames of the videos {@code opener} opens, each transformed by {@code transform} as it is decoded. */
    SequentialFrames(Function<Path, FrameCursor> opener, FrameTransform transform) {
        this.opener = Objects.requireNonNull(opener, "opener");
        this.transform = Objects.requireNonNull(transform, "transform");
    }

    /**
     * The frames of {@code video} at {@code indices}, transformed, as {@link VideoReader#read(Path, int[],
     * FrameTransform)} gives them. When {@code last}, no later request for the video is expected and its decoder
     * is closed.
     */
    List<RgbFrame> read(Path video, int[] indices, boolean last) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("no frame indices given for " + video);
        }
        int first = Arrays.stream(indices).min().getAsInt();
        if (first < 0) {
            throw new IllegalArgumentException("frame indices start at 0, got " + first + " for " + video);
        }
        FrameCursor cursor = take(video);
        if (cursor != null && cursor.position() > first) {
            cursor.close();
            cursor = null;
        }
        if (cursor == null) {
            cursor = opener.apply(video);
        }
        boolean keep = false;
        try {
            List<RgbFrame> frames = VideoReader.readFrom(cursor, video, indices, transform);
            keep = !last;
            return frames;
        } finally {
            if (keep) {
                giveBack(video, cursor);
            } else {
                cursor.close();
            }
        }
    }

    private synchronized FrameCursor take(Path video) {
        return idle.remove(video);
    }

    private void giveBack(Path video, FrameCursor cursor) {
        List<FrameCursor> closing = new ArrayList<>();
        synchronized (this) {
            FrameCursor replaced = idle.put(video, cursor);
            if (replaced != null) {
                closing.add(replaced);
            }
            for (Iterator<FrameCursor> eldest = idle.values().iterator(); idle.size() > OPEN_VIDEOS; ) {
                closing.add(eldest.next());
                eldest.remove();
            }
        }
        closing.forEach(FrameCursor::close);
    }
}
