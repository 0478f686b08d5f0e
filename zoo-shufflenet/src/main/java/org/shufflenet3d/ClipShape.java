package org.shufflenet3d;

/** The geometry of one RGB input clip, laid out channels × frames × height × width (C×T×H×W). */
public record ClipShape(int frames, int height, int width) {

    public static final int CHANNELS = 3;

    /** The reference's training geometry: 16 frames of 112x112. */
    public static final ClipShape DEFAULT = new ClipShape(16, 112, 112);

    public ClipShape {
        if (frames < 1 || height < 1 || width < 1) {
            throw new InvalidClipException("clip frames, height and width must be positive, got "
                    + frames + "x" + height + "x" + width);
        }
    }

    /** The shape of a batch of {@code batch} clips: [batch, 3, frames, height, width]. */
    public long[] batchShape(long batch) {
        return new long[] {batch, CHANNELS, frames, height, width};
    }

    @Override
    public String toString() {
        return frames + "x" + height + "x" + width;
    }
}
