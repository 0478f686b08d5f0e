package org.shufflenet3d.zoo;

import org.shufflenet3d.ShuffleNetConfig;

/**
 * ShuffleNet V1 3D as a DL4J zoo model.
 *
 * <pre>{@code
 * ComputationGraph net = ShuffleNetV1.builder().groups(3).widthMultiplier(1.0).numClasses(101).build().init();
 * }</pre>
 */
public final class ShuffleNetV1 extends ShuffleNet3dZooModel {

    private final int groups;

    private ShuffleNetV1(Builder builder) {
        super(builder);
        this.groups = builder.groups;
        config();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ShuffleNetConfig config() {
        return ShuffleNetConfig.v1(groups, widthMultiplier(), numClasses());
    }

    @Override
    public String modelName() {
        return "shufflenet-3d";
    }

    /** Builder with the reference's defaults (groups 3); see {@link ShuffleNet3dZooModel.Builder}. */
    public static final class Builder extends ShuffleNet3dZooModel.Builder<Builder> {
        private int groups = 3;

        /** Groups of the 1x1x1 convolutions: 1, 2, 3, 4 or 8 (default 3). */
        public Builder groups(int groups) {
            this.groups = groups;
            return this;
        }

        public ShuffleNetV1 build() {
            return new ShuffleNetV1(this);
        }
    }
}
