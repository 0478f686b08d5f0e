package org.shufflenet3d;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The two network families, named as the reference names them in its checkpoints' {@code arch} field. */
public enum Architecture {
    SHUFFLENET("shufflenet", "ShuffleNet V1 3D"),
    SHUFFLENET_V2("shufflenetv2", "ShuffleNet V2 3D");

    private final String referenceName;
    private final String displayName;

    Architecture(String referenceName, String displayName) {
        this.referenceName = referenceName;
        this.displayName = displayName;
    }

    /** The reference's name: {@code shufflenet} or {@code shufflenetv2}. */
    public String referenceName() {
        return referenceName;
    }

    public String displayName() {
        return displayName;
    }

    public static Architecture fromReferenceName(String name) {
        for (Architecture a : values()) {
            if (a.referenceName.equalsIgnoreCase(name)) {
                return a;
            }
        }
        throw new InvalidConfigurationException("unknown architecture '" + name + "': expected one of "
                + Arrays.stream(values()).map(Architecture::referenceName).collect(Collectors.joining(", ")));
    }
}
