package org.shufflenet3d.video;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Which frames of a video make a clip, as the reference's temporal transforms choose them: {@code size} frames
 * taken every {@code downsample}-th from a window of {@link #duration()} = {@code size * downsample} consecutive
 * frames. Frames are numbered from 0 (the reference numbers its frame files from 1).
 *
 * <p>Every sampler cuts its window with {@link #at}: the frames from {@code begin} up to {@code duration} of them,
 * fewer where the video ends, repeated from the window's start until {@code duration} frames are there (the
 * reference's loop padding), then every {@code downsample}-th kept. A video shorter than one clip is therefore
 * played in a loop; {@link #loops} tells the caller when that happens, to warn about it.
 *
 * <p>The record is immutable; the random sampler draws from the generator the caller passes.
 */
public record TemporalSampling(int size, int downsample) {

    /** The reference's clips: 16 consecutive frames. */
    public static final TemporalSampling DEFAULT = new TemporalSampling(16, 1);

    public TemporalSampling {
        if (size < 1) {
            throw new IllegalArgumentException("a clip needs at least 1 frame, got size " + size);
        }
        if (downsample < 1) {
            throw new IllegalArgumentException("the downsample stride must be at least 1 (1 takes every frame), got "
                    + downsample);
        }
        if ((long) size * downsample > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a clip of " + size + " frames every " + downsample
                    + "-th spans more frames than an int counts");
        }
    }

    /** How many consecutive frames one clip spans: {@code size * downsample}. */
    public int duration() {
        return size * downsample;
    }

    /** Whether a video of {@code frameCount} frames is shorter than one clip, so that its clips repeat frames. */
    public boolean loops(int frameCount) {
        requireFrames(frameCount);
        return frameCount < duration();
    }

    /** The clip whose window starts at frame {@code begin}, 0 ≤ begin < frameCount. */
    public int[] at(int frameCount, int begin) {
        requireFrames(frameCount);
        if (begin < 0 || begin >= frameCount) {
            throw new IllegalArgumentException("a clip of a " + frameCount + "-frame video must start at a frame from"
                    + " 0 to " + (frameCount - 1) + ", got " + begin);
        }
        int window = (int) Math.min((long) begin + duration(), frameCount) - begin;
        int[] frames = new int[size];
        for (int i = 0; i < size; i++) {
            frames[i] = begin + (int) ((long) i * downsample % window);
        }
        return frames;
    }

    /**
     * The reference's {@code TemporalCenterCrop} (validation): the window starting {@code duration / 2} frames
     * before the middle frame {@code frameCount / 2}, or at frame 0.
     */
    public int[] center(int frameCount) {
        requireFrames(frameCount);
        return at(frameCount, Math.max(0, frameCount / 2 - duration() / 2));
    }

    /** The reference's {@code TemporalBeginCrop}, and its {@code LoopPadding} of a whole video: the first window. */
    public int[] beginning(int frameCount) {
        return at(frameCount, 0);
    }

    /**
     * The last window start {@link #random} can draw: {@code max(0, frameCount - duration - 1)}. As in the reference
     * the window that ends exactly at the video's last frame is never drawn.
     */
    public int lastRandomBegin(int frameCount) {
        requireFrames(frameCount);
        return Math.max(0, frameCount - duration() - 1);
    }

    /** The reference's {@code TemporalRandomCrop} (training): a window start uniform in 0–{@link #lastRandomBegin}. */
    public int[] random(int frameCount, RandomGenerator random) {
        return at(frameCount, random.nextInt(lastRandomBegin(frameCount) + 1));
    }

    /**
     * The reference's test clips: consecutive windows that do not overlap, starting at frames 0, duration,
     * 2 * duration, ... before the last frame (a window never starts at the very last frame), the last one looped
     * where the video ends early. A one-frame video gives one clip of that frame; the reference gives none and
     * drops the video.
     */
    public List<int[]> consecutiveClips(int frameCount) {
        return windows(frameCount, duration());
    }

    /**
     * {@link #consecutiveClips} of frames that arrive one at a time, their number unknown until they end: each
     * clip's frames (in the order and with the repeats {@link #at} gives) go to {@code clip} as soon as the frame
     * after its window arrives or the frames end, so that at most {@link #duration()} frames and the one after them
     * are held. Returns the number of frames; with none, no clip.
     */
    public <T> int consecutiveClips(Iterator<T> frames, Consumer<List<T>> clip) {
        List<T> window = new ArrayList<>();
        int count = 0;
        while (frames.hasNext()) {
            T frame = frames.next();
            if (window.size() == duration()) {
                clip.accept(pick(window, at(window.size(), 0)));
                window.clear();
            }
            window.add(frame);
            count++;
        }
        int begin = count - window.size();
        if (count > 0 && (begin < count - 1 || count == 1)) {
            clip.accept(pick(window, at(window.size(), 0)));
        }
        return count;
    }

    private static <T> List<T> pick(List<T> window, int[] indices) {
        return Arrays.stream(indices).mapToObj(window::get).toList();
    }

    /**
     * The reference's validation clips with {@code --n_val_samples k}: for {@code k = 1} the {@link #center} clip;
     * otherwise windows starting every {@code max(1, ceil((frameCount - 1 - duration) / (k - 1)))} frames from
     * frame 0 up to (not including) the last frame. That is k windows spread over a long video, but more than k
     * when the video is shorter than {@code duration + k}, as in the reference. A one-frame video gives one clip.
     */
    public List<int[]> evenlySpacedClips(int frameCount, int k) {
        requireFrames(frameCount);
        if (k < 1) {
            throw new IllegalArgumentException("the number of clips per video must be at least 1, got " + k);
        }
        if (k == 1) {
            return List.of(center(frameCount));
        }
        int step = (int) Math.max(1, Math.ceil((double) (frameCount - 1 - (long) duration()) / (k - 1)));
        return windows(frameCount, step);
    }

    private List<int[]> windows(int frameCount, int step) {
        requireFrames(frameCount);
        if (frameCount == 1) {
            return List.of(at(1, 0));
        }
        List<int[]> clips = new ArrayList<>();
        for (long begin = 0; begin < frameCount - 1; begin += step) {
            clips.add(at(frameCount, (int) begin));
        }
        return List.copyOf(clips);
    }

    private static void requireFrames(int frameCount) {
        if (frameCount < 1) {
            throw new IllegalArgumentException("a video needs at least 1 frame to sample clips from, got "
                    + frameCount);
        }
    }
}
