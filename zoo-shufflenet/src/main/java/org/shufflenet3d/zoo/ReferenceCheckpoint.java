package org.shufflenet3d.zoo;

import java.util.Arrays;
import java.util.Optional;
import org.shufflenet3d.Architecture;
import org.shufflenet3d.ClipShape;
import org.shufflenet3d.ShuffleNetConfig;
import org.shufflenet3d.video.ClipNormalization;
import org.shufflenet3d.video.ClipNormalization.ChannelOrder;
import org.shufflenet3d.video.ClipNormalization.Mean;

/**
 * The reference's published checkpoints, by file name, with the network each holds and what its inputs must be.
 * All were trained on 16-frame 112x112 clips of 0–255 pixels minus the ActivityNet mean (the reference's defaults:
 * {@code --mean_dataset activitynet}, {@code --norm_value 1}, no {@code --std_norm}). The Kinetics-600 models saw
 * every frame, in BGR order (the reference decodes Kinetics with OpenCV and passes its frames on unconverted); the
 * Jester models saw every second frame ({@code --downsample 2}, as the reference's Jester commands run), in RGB
 * order (frame images read with PIL).
 */
public enum ReferenceCheckpoint {
    KINETICS_SHUFFLENET_0_5X_G3("kinetics_shufflenet_0.5x_G3_RGB_16_best.pth", ShuffleNetConfig.v1(3, 0.5, 600),
            ReferenceDataset.KINETICS_600),
    KINETICS_SHUFFLENET_1_0X_G3("kinetics_shufflenet_1.0x_G3_RGB_16_best.pth", ShuffleNetConfig.v1(3, 1.0, 600),
            ReferenceDataset.KINETICS_600),
    KINETICS_SHUFFLENET_1_5X_G3("kinetics_shufflenet_1.5x_G3_RGB_16_best.pth", ShuffleNetConfig.v1(3, 1.5, 600),
            ReferenceDataset.KINETICS_600),
    KINETICS_SHUFFLENET_2_0X_G3("kinetics_shufflenet_2.0x_G3_RGB_16_best.pth", ShuffleNetConfig.v1(3, 2.0, 600),
            ReferenceDataset.KINETICS_600),
    KINETICS_SHUFFLENETV2_0_25X("kinetics_shufflenetv2_0.25x_RGB_16_best.pth", ShuffleNetConfig.v2(0.25, 600),
            ReferenceDataset.KINETICS_600),
    KINETICS_SHUFFLENETV2_1_0X("kinetics_shufflenetv2_1.0x_RGB_16_best.pth", ShuffleNetConfig.v2(1.0, 600),
            ReferenceDataset.KINETICS_600),
    KINETICS_SHUFFLENETV2_1_5X("kinetics_shufflenetv2_1.5x_RGB_16_best.pth", ShuffleNetConfig.v2(1.5, 600),
            ReferenceDataset.KINETICS_600),
    KINETICS_SHUFFLENETV2_2_0X("kinetics_shufflenetv2_2.0x_RGB_16_best.pth", ShuffleNetConfig.v2(2.0, 600),
            ReferenceDataset.KINETICS_600),
    JESTER_SHUFFLENET_0_5X_G3("jester_shufflenet_0.5x_G3_RGB_16_best.pth", ShuffleNetConfig.v1(3, 0.5, 27),
            ReferenceDataset.JESTER),
    JESTER_SHUFFLENETV2_1_0X("jester_shufflenetv2_1.0x_RGB_16_best.pth", ShuffleNetConfig.v2(1.0, 27),
            ReferenceDataset.JESTER);

    /** Where the reference links its checkpoints from (its README's "Pre-trained models"). */
    public static final String PUBLISHED_AT = "https://drive.google.com/open?id=1eggpkmy_zjb62Xra6kQviLa67vzP_FR8";

    private final String fileName;
    private final ShuffleNetConfig config;
    private final ReferenceDataset dataset;

    ReferenceCheckpoint(String fileName, ShuffleNetConfig config, ReferenceDataset dataset) {
        this.fileName = fileName;
        this.config = config;
        this.dataset = dataset;
    }

    /** The reference's checkpoint of {@code dataset} for {@code network}'s architecture, width and groups, if any. */
    public static Optional<ReferenceCheckpoint> find(ReferenceDataset dataset, ShuffleNetConfig network) {
        return Arrays.stream(values())
                .filter(c -> c.dataset() == dataset && c.architecture() == network.architecture()
                        && c.config.widthMultiplier() == network.widthMultiplier() && c.config.groups() == network.groups())
                .findFirst();
    }

    /** The file name the reference publishes it under. */
    public String fileName() {
        return fileName;
    }

    public ShuffleNetConfig config() {
        return config;
    }

    public Architecture architecture() {
        return config.architecture();
    }

    /** The dataset it was trained on, whose class names name its outputs. */
    public ReferenceDataset dataset() {
        return dataset;
    }

    public int numClasses() {
        return config.numClasses();
    }

    /** Its classes' names, by output index. */
    public ClassLabels labels() {
        return dataset().labels();
    }

    /** The clips it was trained on: 16 frames of 112x112. */
    public ClipShape clipShape() {
        return ClipShape.DEFAULT;
    }

    /** The order of the colour channels it saw: BGR for Kinetics-600, RGB for Jester. */
    public ChannelOrder channelOrder() {
        return dataset() == ReferenceDataset.KINETICS_600 ? ChannelOrder.BGR : ChannelOrder.RGB;
    }

    /**
     * How pixels became its inputs: {@code pixel / normValue - mean[c]} with norm value 1 (0–255 pixels), the
     * ActivityNet mean [114.7748, 107.7354, 99.4750], no division by a standard deviation, in {@link #channelOrder()}.
     */
    public ClipNormalization normalization() {
        return ClipNormalization.of(Mean.ACTIVITYNET, false, 1, channelOrder());
    }

    /** Every how-many-th frame of a video its clips took: 1 for Kinetics-600, 2 for Jester. */
    public int downsample() {
        return dataset() == ReferenceDataset.KINETICS_600 ? 1 : 2;
    }

    /** The input contract in one line, such as {@code 3x16x112x112 BGR clips of 0-255 pixels minus ...}. */
    public String describeInputs() {
        return "3x" + clipShape() + " " + channelOrder() + " clips of 0-255 pixels minus the ActivityNet mean "
                + normalization().mean() + ", frame stride " + downsample() + "; " + numClasses() + " " + dataset()
                + " classes";
    }
}
