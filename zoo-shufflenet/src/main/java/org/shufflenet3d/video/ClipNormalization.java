package org.shufflenet3d.video;

import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.shufflenet3d.ClipShape;

/**
 * How the reference turns a clip's frames into network input, its {@code ToTensor(norm_value)} then
 * {@code Normalize(mean, std)} on every frame, the frames stacked C×T×H×W: each value is
 * {@code (pixel / normValue - mean[c]) / std[c]} in float32, the operations in that order, so the numbers equal
 * PyTorch's. {@code mean} and {@code std} are in the units after the division, as the reference's
 * {@code Normalize} receives them; {@link #of} derives them from the reference's options.
 *
 * <p>Channel {@code c} is the c-th channel of the output. With {@link ChannelOrder#BGR} the channels are blue,
 * green, red and {@code mean[0]} is subtracted from blue: the reference's Kinetics models were trained on BGR frames
 * (OpenCV's decoding, passed on unconverted) normalised with the same mean list, so this is what they saw.
 */
public record ClipNormalization(List<Double> mean, List<Double> std, double normValue, ChannelOrder channelOrder) {

    /** The reference's per-channel standard deviation in 0–255 units, used only with {@code --std_norm}. */
    public static final List<Double> STD = List.of(38.7568578, 37.88248729, 40.02898126);

    /** The reference's default: ActivityNet mean subtracted from 0–255 pixels, no division by std, RGB. */
    public static final ClipNormalization DEFAULT = of(Mean.ACTIVITYNET, false, 1, ChannelOrder.RGB);

    /** The reference's per-channel means ({@code --mean_dataset}, or none with {@code --no_mean_norm}). */
    public enum Mean {
        /** ActivityNet's mean, the reference's default. */
        ACTIVITYNET(List.of(114.7748, 107.7354, 99.4750)),
        /** The mean of 10 Kinetics videos per class. */
        KINETICS(List.of(110.63666788, 103.16065604, 96.29023126)),
        /** Nothing subtracted. */
        NONE(List.of(0.0, 0.0, 0.0));

        private final List<Double> values;

        Mean(List<Double> values) {
            this.values = values;
        }

        /** The mean of each channel in 0–255 units. */
        public List<Double> perChannel() {
            return values;
        }
    }

    /** The order of the channels in the output. */
    public enum ChannelOrder {
        RGB,
        /** Blue, green, red: what the reference's Kinetics models saw. */
        BGR
    }

    public ClipNormalization {
        mean = checkedTriple(mean, "mean");
        std = checkedTriple(std, "std");
        for (double s : std) {
            if (s == 0) {
                throw new IllegalArgumentException("a standard deviation of 0 would divide by zero: " + std);
            }
        }
        checkNormValue(normValue);
        Objects.requireNonNull(channelOrder, "channelOrder");
    }

    /**
     * The reference's normalisation for its options: pixels divided by {@code normValue} ({@code --norm_value}),
     * {@code mean} divided by it subtracted, then division by {@link #STD} divided by it when {@code divideByStd}
     * ({@code --std_norm}), else by 1.
     */
    public static ClipNormalization of(Mean mean, boolean divideByStd, double normValue, ChannelOrder channelOrder) {
        Objects.requireNonNull(mean, "mean");
        checkNormValue(normValue);
        return new ClipNormalization(mean.perChannel().stream().map(m -> m / normValue).toList(),
                divideByStd ? STD.stream().map(s -> s / normValue).toList() : List.of(1.0, 1.0, 1.0),
                normValue, channelOrder);
    }

    /** The frames of one clip as float32 values in C×T×H×W order, ready for [3, T, H, W]. */
    public float[] toFloats(List<RgbFrame> frames) {
        Objects.requireNonNull(frames, "frames");
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a clip needs at least one frame, got none");
        }
        RgbFrame first = Objects.requireNonNull(frames.get(0), "frame 0");
        int width = first.width();
        int height = first.height();
        for (int t = 1; t < frames.size(); t++) {
            RgbFrame frame = Objects.requireNonNull(frames.get(t), "frame " + t);
            if (frame.width() != width || frame.height() != height) {
                throw new IllegalArgumentException("the frames of a clip must all have one size: frame " + t + " is "
                        + frame.width() + "x" + frame.height() + ", frame 0 is " + width + "x" + height);
            }
        }
        int pixels = width * height;
        long count = (long) ClipShape.CHANNELS * frames.size() * pixels;
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a clip of " + frames.size() + " frames of " + width + "x" + height
                    + " does not fit in one Java array");
        }
        float divisor = (float) normValue;
        float[] values = new float[(int) count];
        for (int c = 0; c < ClipShape.CHANNELS; c++) {
            int source = channelOrder == ChannelOrder.RGB ? c : 2 - c;
            float m = mean.get(c).floatValue();
            float s = std.get(c).floatValue();
            int offset = c * frames.size() * pixels;
            for (RgbFrame frame : frames) {
                byte[] rgb = frame.pixels();
                for (int i = 0; i < pixels; i++) {
                    values[offset++] = ((rgb[3 * i + source] & 0xFF) / divisor - m) / s;
                }
            }
        }
        return values;
    }

    /** The frames of one clip as a float32 array of shape [3, T, H, W]. */
    public INDArray toArray(List<RgbFrame> frames) {
        float[] values = toFloats(frames);
        RgbFrame first = frames.get(0);
        return Nd4j.create(values, new long[] {ClipShape.CHANNELS, frames.size(), first.height(), first.width()}, 'c');
    }

    private static void checkNormValue(double normValue) {
        if (!(normValue > 0) || !Double.isFinite(normValue)) {
            throw new IllegalArgumentException("the norm value pixels are divided by must be positive and finite"
                    + " (1 keeps 0-255, 255 gives 0-1), got " + normValue);
        }
    }

    private static List<Double> checkedTriple(List<Double> values, String name) {
        Objects.requireNonNull(values, name);
        if (values.size() != ClipShape.CHANNELS || values.stream().anyMatch(v -> v == null || !Double.isFinite(v))) {
            throw new IllegalArgumentException("the " + name + " needs 3 finite values, one per channel, got "
                    + values);
        }
        return List.copyOf(values);
    }
}
