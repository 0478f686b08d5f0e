package org.shufflenet3d.zoo;

import org.shufflenet3d.ShuffleNetConfig;

/**
 * ShuffleNet V2 3D as a DL4J zoo model.
 *
 * <pre>{@code
 * ComputationGraph net = ShuffleNetV2.builder().numClasses(101).widthMultiplier(1.0).build().init();
 * }</pre>
 */
public final class ShuffleNetV2 extends ShuffleNet3dZooModel {

    private ShuffleNetV2(Builder builder) {
        super(builder);
        config();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ShuffleNetConfig config() {
        return ShuffleNetConfig.v2(widthMultiplier(), numClasses());
    }

    @Override
    public String modelName() {
        return "shufflenetv2-3d";
    }

    /** Builder with the reference's defaults; see {@link ShuffleNet3dZooModel.Builder}. */
    public static final class Builder extends ShuffleNet3dZooModel.Builder<Builder> {
        public ShuffleNetV2 build() {
            return new ShuffleNetV2(this);
        }
    }
}
