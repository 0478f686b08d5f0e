package org.shufflenet3d.video;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Spatial transforms applied one after the other (the reference's {@code Compose}), with the reference's three
 * compositions ready made: {@link #training}, {@link #validation} and {@link #test}. Turning the frames into
 * normalised numbers is {@link ClipNormalization}'s part.
 */
public record SpatialPipeline(List<SpatialTransform> steps) implements SpatialTransform {

    /** The reference's frame size, 112 x 112. */
    public static final int DEFAULT_SIZE = 112;

    /**
     * The reference's crop scales: 5 scales from 1 down by a factor of 0.84089641525 (2^-1/4) each, computed as the
     * reference computes them (each the previous times the factor), so about 1, 0.841, 0.707, 0.595, 0.5.
     */
    public static final List<Double> SCALES = scales(1.0, 5, 0.84089641525);

    public SpatialPipeline {
        Objects.requireNonNull(steps, "steps");
        steps = List.copyOf(steps);
    }

    /**
     * Training: a random horizontal flip (when {@code flip}; never for classes that tell left from right), then the
     * multi-scale {@code crop} resized to {@code size} x {@code size}, or with {@link TrainingCrop#NONE} the
     * {@link #validation} crop. Frames go in at any size.
     */
    public static SpatialPipeline training(int size, TrainingCrop crop, boolean flip) {
        Objects.requireNonNull(crop, "crop");
        SpatialTransform cropStep = switch (crop) {
            case RANDOM -> new MultiScaleRandomCrop(SCALES, size);
            case CORNER -> new MultiScaleCornerCrop(SCALES, size);
            case CENTER -> new MultiScaleCornerCrop(SCALES, size, List.of(CropPosition.CENTER));
            case NONE -> validation(size);
        };
        return new SpatialPipeline(flip ? List.of(new RandomHorizontalFlip(), cropStep) : List.of(cropStep));
    }

    /** Validation: the shorter side scaled to {@code size}, then the centre {@code size} x {@code size}. */
    public static SpatialPipeline validation(int size) {
        return new SpatialPipeline(List.of(new ScaleShortSide(size), new CenterCrop(size)));
    }

    /**
     * Test: the shorter side scaled to {@code size}, then the reference's corner crop at its centre (the same
     * pixels as {@link #validation}'s).
     */
    public static SpatialPipeline test(int size) {
        return new SpatialPipeline(List.of(new ScaleShortSide(size), new CornerCrop(size, CropPosition.CENTER)));
    }

    /** Every step with its parameters drawn, in order. */
    @Override
    public Fixed forClip(RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        return new Fixed(steps.stream().map(step -> step.forClip(random)).toList());
    }

    /** The steps with their parameters drawn for one clip, applied one after the other. */
    public record Fixed(List<FrameTransform> steps) implements FrameTransform {

        public Fixed {
            steps = List.copyOf(steps);
        }

        @Override
        public RgbFrame apply(RgbFrame frame) {
            RgbFrame result = frame;
            for (FrameTransform step : steps) {
                result = step.apply(result);
            }
            return result;
        }
    }

    private static List<Double> scales(double initial, int count, double step) {
        List<Double> scales = new ArrayList<>(List.of(initial));
        for (int i = 1; i < count; i++) {
            scales.add(scales.get(i - 1) * step);
        }
        return List.copyOf(scales);
    }
}
