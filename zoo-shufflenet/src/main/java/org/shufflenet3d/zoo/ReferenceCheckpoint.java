package org.shufflenet3d.zoo;

import org.shufflenet3d.Architecture;
import org.shufflenet3d.ShuffleNetConfig;

/**
 * The reference's published checkpoints (Kinetics-600 and Jester, 16-frame 112x112 clips), by file name and the
 * configuration each was trained with. Kinetics models saw BGR frames, Jester models RGB.
 */
public enum ReferenceCheckpoint {
    KINETICS_SHUFFLENET_0_5X_G3("kinetics_shufflenet_0.5x_G3_RGB_16_best.pth", ShuffleNetConfig.v1(3, 0.5, 600)),
    KINETICS_SHUFFLENET_1_0X_G3("kinetics_shufflenet_1.0x_G3_RGB_16_best.pth", ShuffleNetConfig.v1(3, 1.0, 600)),
    KINETICS_SHUFFLENET_1_5X_G3("kinetics_shufflenet_1.5x_G3_RGB_16_best.pth", ShuffleNetConfig.v1(3, 1.5, 600)),
    KINETICS_SHUFFLENET_2_0X_G3("kinetics_shufflenet_2.0x_G3_RGB_16_best.pth", ShuffleNetConfig.v1(3, 2.0, 600)),
    KINETICS_SHUFFLENETV2_0_25X("kinetics_shufflenetv2_0.25x_RGB_16_best.pth", ShuffleNetConfig.v2(0.25, 600)),
    KINETICS_SHUFFLENETV2_1_0X("kinetics_shufflenetv2_1.0x_RGB_16_best.pth", ShuffleNetConfig.v2(1.0, 600)),
    KINETICS_SHUFFLENETV2_1_5X("kinetics_shufflenetv2_1.5x_RGB_16_best.pth", ShuffleNetConfig.v2(1.5, 600)),
    KINETICS_SHUFFLENETV2_2_0X("kinetics_shufflenetv2_2.0x_RGB_16_best.pth", ShuffleNetConfig.v2(2.0, 600)),
    JESTER_SHUFFLENET_0_5X_G3("jester_shufflenet_0.5x_G3_RGB_16_best.pth", ShuffleNetConfig.v1(3, 0.5, 27)),
    JESTER_SHUFFLENETV2_1_0X("jester_shufflenetv2_1.0x_RGB_16_best.pth", ShuffleNetConfig.v2(1.0, 27));

    private final String fileName;
    private final ShuffleNetConfig config;

    ReferenceCheckpoint(String fileName, ShuffleNetConfig config) {
        this.fileName = fileName;
        this.config = config;
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
}
